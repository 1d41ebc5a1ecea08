import type AjvClass from 'ajv';
import type { ValidateFunction } from 'ajv';

/** One Ajv for the process, made on first use: schemas compile once and are cached by content. */
let ajv: AjvClass | undefined;
const cache = new Map<string, ValidateFunction>();

function theAjv(): AjvClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = (require('ajv') as { default: typeof AjvClass }).default;
  ajv ??= new Ajv({ allErrors: false, strict: false });
  return ajv;
}

/** Compiles (once per distinct schema) or throws Ajv's error. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = cache.get(key);
  if (!validate) {
    validate = theAjv().compile(schema);
    if (cache.size < 1000) cache.set(key, validate);
  }
  return validate;
}

/**
 * Judges a whole answer: it must be JSON, and match the schema when there is one.
 * The category says which: `invalid_json` or `schema_mismatch` (with Ajv's first complaint).
 */
export function judgeJson(
  text: string,
  schema: Record<string, unknown> | undefined,
): { valid: true } | { valid: false; category: string; detail: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { valid: false, category: 'invalid_json', detail: 'the answer is not JSON' };
  }
  if (!schema) return { valid: true };
  let validate: ValidateFunction;
  try {
    validate = compileSchema(schema);
  } catch {
    return {
      valid: false,
      category: 'invalid_schema',
      detail: 'the schema asked for does not compile',
    };
  }
  if (validate(value)) return { valid: true };
  const first = validate.errors?.[0];
  return {
    valid: false,
    category: 'schema_mismatch',
    detail: `${first?.instancePath || '/'} ${first?.message ?? 'does not match'}`,
  };
}
