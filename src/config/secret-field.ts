import { ConfigError } from './gateway-config';
import { readSecretFile, type ReadFile } from './config-readers';

/**
 * A secret a config entry gives as the value itself (`secret: ...`), as a file to read
 * (`secretFile: /run/secrets/...`) or as an environment variable to read (`secretEnv: NAME`).
 * At most one of the three; the error names the setting, never the value. The one reader for
 * secret fields in GATEWAY_CONFIG entries, so further reference forms (secret managers) are added
 * here once.
 */
export function readSecretField(
  item: Record<string, unknown>,
  field: string,
  where: string,
  env: Record<string, string | undefined>,
  readFile: ReadFile,
): string | undefined {
  const forms = [field, `${field}File`, `${field}Env`].filter((name) => item[name] !== undefined);
  if (forms.length === 0) return undefined;
  if (forms.length > 1) {
    throw new ConfigError(`${where}.${field}`, `give one of ${forms.join(', ')}, not several`);
  }
  const form = forms[0];
  const raw = item[form];
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConfigError(`${where}.${form}`, 'must be a non-empty string');
  }
  let value: string | undefined;
  if (form === field) value = raw;
  else if (form.endsWith('File')) value = readSecretFile(`${where}.${form}`, raw, readFile);
  else {
    value = env[raw];
    if (value === undefined) {
      throw new ConfigError(`${where}.${form}`, `the environment variable ${raw} is not set`);
    }
  }
  const trimmed = value.trim();
  if (!trimmed) throw new ConfigError(`${where}.${form}`, 'holds an empty secret');
  return trimmed;
}
