import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURE = join(__dirname, '..', '..', 'fixtures', 'openai-openapi', 'components.json');
const ROOT = 'https://github.com/openai/openai-openapi/openapi.json';

/** OpenAPI 3.0's `nullable` (a few schemas still carry it) as JSON Schema: a type that may be null. */
function withNullable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNullable);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = withNullable(child);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...(out.enum as unknown[]), null];
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) {
      const { ...schema } = out;
      return { anyOf: [schema, { type: 'null' }] };
    }
  }
  return out;
}

/** Validators for OpenAI's component schemas, from the vendored document (see its README). */
export class OpenAiSchemas {
  private readonly ajv: Ajv2020;
  /** Each Responses stream event type's own schema, from ResponseStreamEvent's branches. */
  private readonly eventSchemas = new Map<string, string>();

  constructor() {
    const { schemas } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as {
      schemas: Record<string, unknown>;
    };
    const union = schemas.ResponseStreamEvent as { anyOf: Array<{ $ref: string }> };
    for (const { $ref } of union.anyOf) {
      const name = $ref.split('/').pop() as string;
      const branch = schemas[name] as { properties?: { type?: { enum?: string[] } } };
      for (const type of branch.properties?.type?.enum ?? []) this.eventSchemas.set(type, name);
    }
    // strict off: the document carries OpenAPI keywords (discriminator, x-stainless-*) and
    // formats (unixtime) that are not JSON Schema's; all errors, to see every mismatch at once.
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
    this.ajv.addSchema({ $id: ROOT, components: { schemas: withNullable(schemas) } });
  }

  validator(name: string): ValidateFunction {
    const validate = this.ajv.getSchema(`${ROOT}#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name}`);
    return validate;
  }

  /** The schema of one Responses stream event type (`response.output_text.delta`, ...). */
  eventSchema(type: string): string {
    const name = this.eventSchemas.get(type);
    if (!name) throw new Error(`ResponseStreamEvent has no event of type ${type}`);
    return name;
  }

  /** The mismatches of `value` against the schema `name`, as readable lines (empty: it conforms). */
  problems(name: string, value: unknown): string[] {
    const validate = this.validator(name);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${name}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }
}
