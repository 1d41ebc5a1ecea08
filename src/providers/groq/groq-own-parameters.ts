import { invalidRequest } from '../../common/errors/gateway-error';

/**
 * Groq's own request parameters (not OpenAI's), with the values groq-sdk 1.6's
 * `chat/completions.ts` types allow. Pure checks: each throws a 400 naming the field, or returns.
 * Groq's schema is closed, so a wrong value would be Groq's own (less helpful) 400 otherwise.
 */
export type ValueCheck = (value: unknown, param: string) => void;

export const REASONING_FORMATS = ['hidden', 'raw', 'parsed'] as const;
export const SERVICE_TIERS = ['auto', 'on_demand', 'flex', 'performance'] as const;
export const CITATION_OPTIONS = ['enabled', 'disabled'] as const;
export const REASONING_EFFORTS = ['none', 'default', 'low', 'medium', 'high'] as const;

export const oneOf =
  (values: readonly string[]): ValueCheck =>
  (value, param) => {
    if (typeof value !== 'string' || !values.includes(value))
      throw invalidRequest(
        `${param} must be one of ${values.join(', ')}, got ${JSON.stringify(value)}`,
        param,
      );
  };

export const isBoolean: ValueCheck = (value, param) => {
  if (typeof value !== 'boolean')
    throw invalidRequest(`${param} must be true or false, got ${JSON.stringify(value)}`, param);
};

export const isInteger: ValueCheck = (value, param) => {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw invalidRequest(`${param} must be an integer, got ${JSON.stringify(value)}`, param);
};

export const isStringList: ValueCheck = (value, param) => {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw invalidRequest(`${param} must be a list of strings`, param);
};

function isObject(value: unknown, param: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidRequest(`${param} must be an object`, param);
}

/** Fields an object may hold, each with its check; an unknown field is refused (Groq would). */
const objectOf =
  (fields: Record<string, ValueCheck>): ValueCheck =>
  (value, param) => {
    isObject(value, param);
    for (const [name, field] of Object.entries(value)) {
      const check = Object.hasOwn(fields, name) ? fields[name] : undefined;
      if (!check)
        throw invalidRequest(
          `${param}.${name} is not a field Groq takes here; use ${Object.keys(fields).join(', ')}`,
          `${param}.${name}`,
        );
      if (field !== null && field !== undefined) check(field, `${param}.${name}`);
    }
  };

const isString: ValueCheck = (value, param) => {
  if (typeof value !== 'string') throw invalidRequest(`${param} must be a string`, param);
};

export const checkSearchSettings = objectOf({
  country: isString,
  include_domains: isStringList,
  exclude_domains: isStringList,
  include_images: isBoolean,
});

export const checkCompoundCustom = objectOf({
  models: objectOf({ answering_model: isString, reasoning_model: isString }),
  tools: objectOf({
    enabled_tools: isStringList,
    wolfram_settings: objectOf({ authorization: isString }),
  }),
});

/** `documents`: `[{source: {type: 'text', text} | {type: 'json', data: {...}}, id?}]`. */
export const checkDocuments: ValueCheck = (value, param) => {
  if (!Array.isArray(value)) throw invalidRequest(`${param} must be a list of documents`, param);
  value.forEach((document: unknown, index) => {
    const at = `${param}[${index}]`;
    isObject(document, at);
    if (document.id !== undefined && document.id !== null) isString(document.id, `${at}.id`);
    const source = document.source;
    isObject(source, `${at}.source`);
    if (source.type === 'text') isString(source.text, `${at}.source.text`);
    else if (source.type === 'json') isObject(source.data, `${at}.source.data`);
    else
      throw invalidRequest(
        `${at}.source.type must be text or json, got ${JSON.stringify(source.type)}`,
        `${at}.source.type`,
      );
  });
};

/**
 * The reasoning efforts a model family takes (groq-sdk 1.6's typings): gpt-oss low/medium/high;
 * qwen3 none/default, qwen3.8 also low/medium/high. Undefined for a model whose family the
 * gateway does not know: Groq then decides.
 */
export function reasoningEffortsFor(upstreamModel: string): readonly string[] | undefined {
  if (upstreamModel.startsWith('openai/gpt-oss-')) return ['low', 'medium', 'high'];
  if (upstreamModel.startsWith('qwen/qwen3.8')) return REASONING_EFFORTS;
  if (upstreamModel.startsWith('qwen/qwen3')) return ['none', 'default'];
  return undefined;
}

/** Groq's built-in tool types, and the models that run them (gpt-oss on Groq). */
export const BUILT_IN_TOOL_TYPES = ['browser_search', 'code_interpreter'] as const;

export function hasBuiltInTools(upstreamModel: string): boolean {
  return upstreamModel.startsWith('openai/gpt-oss-');
}
