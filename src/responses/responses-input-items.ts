import { invalidRequest } from '../common/errors/gateway-error';
import type { ResponsesInputItem } from './responses-types';

export const MESSAGE_ROLES = ['user', 'system', 'developer', 'assistant'] as const;
const TEXT_PART_TYPES = new Set(['input_text', 'output_text']);
const MESSAGE_EXAMPLE = '{"role": "user", "content": "..."}';
const TEXT_PART_EXAMPLE = '{"type": "input_text", "text": "..."}';

type Json = Record<string, unknown>;

/**
 * The shape of each Responses input item the conversion reads: a message (string content, or
 * content parts each with a type, text parts with a string text), a function_call (call_id,
 * name, string arguments) or a function_call_output (call_id, output). Pure. A malformed item is
 * a 400 naming it (`input[0].content`), never a TypeError further in. Item and part types Groq
 * cannot take are left to the conversion, which refuses them saying why.
 */
export function checkInputItems(items: readonly unknown[]): asserts items is ResponsesInputItem[] {
  items.forEach((item, index) => checkInputItem(item, `input[${index}]`));
}

function checkInputItem(item: unknown, at: string): void {
  if (!isObject(item))
    throw invalidRequest(
      `${at} must be an input item object, such as ${MESSAGE_EXAMPLE}; got ${kindOf(item)}`,
      at,
    );
  const type = item.type ?? 'message';
  if (typeof type !== 'string')
    throw invalidRequest(
      `${at}.type must be a string such as message, function_call or function_call_output; got ${kindOf(type)}`,
      `${at}.type`,
    );
  if (type === 'message') checkMessage(item, at);
  else if (type === 'function_call') {
    requireString(
      item,
      'call_id',
      at,
      'the id of the call, which its function_call_output repeats',
    );
    requireString(item, 'name', at, 'the name of the function the model called');
    if (item.arguments !== undefined && typeof item.arguments !== 'string')
      throw invalidRequest(
        `${at}.arguments must be the call's arguments as a JSON string, such as "{\\"city\\": \\"Paris\\"}"; got ${kindOf(item.arguments)}`,
        `${at}.arguments`,
      );
  } else if (type === 'function_call_output') {
    requireString(item, 'call_id', at, 'the call_id of the function_call it answers');
    if (item.output === undefined || item.output === null)
      throw invalidRequest(
        `${at}.output is required on a function_call_output item: the function's result, as a string`,
        `${at}.output`,
      );
  }
}

function checkMessage(item: Json, at: string): void {
  if (!(MESSAGE_ROLES as readonly unknown[]).includes(item.role))
    throw invalidRequest(`${at}.role must be one of ${MESSAGE_ROLES.join(', ')}`, `${at}.role`);
  const content = item.content;
  if (typeof content === 'string') return;
  if (!Array.isArray(content))
    throw invalidRequest(
      `${at}.content must be a string or an array of content parts, such as [${TEXT_PART_EXAMPLE}]; got ${kindOf(content)}`,
      `${at}.content`,
    );
  content.forEach((part: unknown, index) => {
    const where = `${at}.content[${index}]`;
    if (!isObject(part) || typeof part.type !== 'string')
      throw invalidRequest(
        `${where} must be a content part object with a string type, such as ${TEXT_PART_EXAMPLE}; got ${kindOf(part)}`,
        where,
      );
    if (TEXT_PART_TYPES.has(part.type) && typeof part.text !== 'string')
      throw invalidRequest(
        `${where}.text must be a string: the text of the ${part.type} part`,
        `${where}.text`,
      );
  });
}

function requireString(item: Json, field: string, at: string, what: string): void {
  const value = item[field];
  if (typeof value !== 'string' || value.length === 0)
    throw invalidRequest(
      `${at}.${field} is required on a ${String(item.type)} item, as a non-empty string: ${what}`,
      `${at}.${field}`,
    );
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a wrong value was, for a message: `null`, `a number`, `an array`, ... */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
