import { ConfigError } from './gateway-config';

/**
 * Values that templates, examples and tutorials put where a secret goes. A key like this passes
 * every length check and would open the admin API (or be sent to Groq) with a value published in
 * a repository, so start-up refuses it.
 */
const PLACEHOLDERS = [
  /REPLACE[_-]?(WITH|ME)/i,
  /^<.*>$/,
  /^\$\{.*\}$/,
  /^(change[_-]?me|changeit|placeholder|example|todo|your[_-]?(admin[_-]?|api[_-]?|groq[_-]?)?key)$/i,
  /^gsk_(\.\.\.|your.*|example.*)$/i,
];

export function isPlaceholderSecret(value: string): boolean {
  const trimmed = value.trim();
  return PLACEHOLDERS.some((pattern) => pattern.test(trimmed));
}

/** Stops start-up when `value` is a template's placeholder; the message never repeats it. */
export function refusePlaceholder(setting: string, value: string | undefined): void {
  if (value !== undefined && isPlaceholderSecret(value)) {
    throw new ConfigError(
      setting,
      "is a template's placeholder, not a secret: create the Secret with a real value (for the admin key: openssl rand -base64 32; see docs/kubernetes.md)",
    );
  }
}

/**
 * The Groq keys of a loaded configuration, checked the same way; the setting named is where they
 * came from (GROQ_API_KEY(S), their _FILE variants, or groq.keys[i] in GATEWAY_CONFIG).
 */
export function refusePlaceholderGroqKeys(
  keys: ReadonlyArray<{ key: string }>,
  env: Record<string, string | undefined>,
): void {
  const source = ['GROQ_API_KEYS', 'GROQ_API_KEY', 'GROQ_API_KEYS_FILE', 'GROQ_API_KEY_FILE'].find(
    (name) => env[name] !== undefined && env[name] !== '',
  );
  keys.forEach(({ key }, index) =>
    refusePlaceholder(source ?? `GATEWAY_CONFIG groq.keys[${index}]`, key),
  );
}
