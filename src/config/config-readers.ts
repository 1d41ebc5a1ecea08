import { ConfigError } from './gateway-config';

/** Reads a file named by a setting; the error names the setting, never the file's content. */
export type ReadFile = (path: string) => string;

export function readSecretFile(setting: string, path: string, readFile: ReadFile): string {
  try {
    return readFile(path);
  } catch (error) {
    throw new ConfigError(
      setting,
      `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

export function integer(
  setting: string,
  raw: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  return numberIn(setting, raw, fallback, min, max, true);
}

/** A number, fractions allowed (ratios, sub-second intervals), in a range. */
export function decimal(
  setting: string,
  raw: unknown,
  fallback: number,
  min: number,
  max: number,
): number {
  return numberIn(setting, raw, fallback, min, max, false);
}

function numberIn(
  setting: string,
  raw: unknown,
  fallback: number,
  min: number,
  max: number,
  whole: boolean,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
  if (!(whole ? Number.isInteger(value) : Number.isFinite(value)) || value < min || value > max) {
    throw new ConfigError(
      setting,
      `must be a ${whole ? 'whole number' : 'number'} from ${min} to ${max}, got '${String(raw)}'`,
    );
  }
  return value;
}

export function boolean(setting: string, raw: unknown, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (raw === true || raw === 'true' || raw === '1') return true;
  if (raw === false || raw === 'false' || raw === '0') return false;
  throw new ConfigError(setting, `must be true or false, got '${String(raw)}'`);
}

export function stringAt(source: Record<string, unknown>, key: string): string | undefined {
  const value = source[key];
  return typeof value === 'string' ? value : undefined;
}

export function objectAt(
  source: Record<string, unknown>,
  key: string,
  setting: string,
): Record<string, unknown> {
  const value = source[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(setting, 'must be a mapping');
  return value as Record<string, unknown>;
}

/** NAME, else the content of the file NAME_FILE names (a Kubernetes secret mount), as it is. */
export function rawSecretFromEnv(
  env: Record<string, string | undefined>,
  name: string,
  readFile: ReadFile,
): string | undefined {
  const file = env[`${name}_FILE`];
  return env[name] ?? (file ? readSecretFile(`${name}_FILE`, file, readFile) : undefined);
}

/** The same, trimmed; undefined when empty. */
export function secretFromEnv(
  env: Record<string, string | undefined>,
  name: string,
  readFile: ReadFile,
): string | undefined {
  const value = rawSecretFromEnv(env, name, readFile)?.trim();
  return value ? value : undefined;
}

/** Keys in one secret: a JSON array of strings, or a comma (or line) separated list. */
export function splitKeyList(raw: string): string[] {
  const text = raw.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed))
        return parsed
          .filter((k): k is string => typeof k === 'string' && k.trim() !== '')
          .map((k) => k.trim());
    } catch {
      // not JSON: read as a list below
    }
  }
  return text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter(Boolean);
}
