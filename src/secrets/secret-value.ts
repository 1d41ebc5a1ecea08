import { SecretReadError } from './secret-resolver';

/**
 * The named field of a secret's data (Vault's `data`), or its only field when none is named.
 * Errors name fields, never values.
 */
export function fieldOf(data: unknown, field: string | undefined): string {
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new SecretReadError('the secret holds no fields');
  const fields = data as Record<string, unknown>;
  const names = Object.keys(fields);
  if (field === undefined) {
    if (names.length !== 1)
      throw new SecretReadError(
        `the secret has ${names.length} fields (${names.join(', ')}); name one after '#'`,
      );
    return stringValue(fields[names[0]], names[0]);
  }
  if (!(field in fields))
    throw new SecretReadError(`the secret has no field '${field}' (it has: ${names.join(', ')})`);
  return stringValue(fields[field], field);
}

/** A field of a secret stored as a JSON object (AWS's key/value secrets). */
export function jsonFieldOf(text: string, field: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SecretReadError(`the secret is not a JSON object, so it has no field '${field}'`);
  }
  return fieldOf(parsed, field);
}

/** A secret that is empty is an error: an empty key or URL is never what was meant. */
export function nonEmpty(value: string): string {
  if (value.trim() === '') throw new SecretReadError('the secret is empty');
  return value;
}

function stringValue(value: unknown, field: string): string {
  if (typeof value === 'string') return nonEmpty(value);
  // A list of keys stored as a JSON array in a field reads as that array.
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new SecretReadError(`the field '${field}' is not a string`);
}
