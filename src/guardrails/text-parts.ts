/**
 * The texts of a request a guardrail reads, each named as the client wrote it (`messages[2].content`,
 * `input[0].content[1]`, `prompt`), with a way to put a redacted text back in place.
 * One function per wire format; they read the client's own body, so a refusal points at the
 * client's own field, not at the chat request it was converted to.
 */
export interface TextPart {
  param: string;
  text: string;
  /** In an answer: which piece it is (json_schema reads the content alone). */
  channel?: 'content' | 'reasoning' | 'tool';
  /** Writes a new text where this one was (redaction). */
  set(text: string): void;
}

export type ApiShape = 'chat' | 'responses' | 'completions' | 'anthropic';

type Json = Record<string, unknown>;

export function requestTextParts(shape: ApiShape, body: unknown): TextPart[] {
  const parts: TextPart[] = [];
  if (typeof body !== 'object' || body === null) return parts;
  const request = body as Json;
  switch (shape) {
    case 'chat':
      eachItem(request.messages, 'messages', (message, where) => {
        contentParts(message, 'content', `${where}.content`, parts);
        eachItem(message.tool_calls, `${where}.tool_calls`, (call, at) => {
          const fn = call.function as Json | undefined;
          if (fn) field(fn, 'arguments', `${at}.function.arguments`, parts);
        });
      });
      break;
    case 'responses':
      field(request, 'instructions', 'instructions', parts);
      if (typeof request.input === 'string') field(request, 'input', 'input', parts);
      else
        eachItem(request.input, 'input', (item, where) => {
          // A message item's string content is the item itself to the client: `input[0]`.
          if (typeof item.content === 'string') field(item, 'content', where, parts);
          else contentParts(item, 'content', `${where}.content`, parts);
          field(item, 'arguments', `${where}.arguments`, parts);
          field(item, 'output', `${where}.output`, parts);
        });
      break;
    case 'completions':
      if (typeof request.prompt === 'string') field(request, 'prompt', 'prompt', parts);
      else if (Array.isArray(request.prompt))
        request.prompt.forEach((_, i) =>
          field(request.prompt as Json, String(i), `prompt[${i}]`, parts),
        );
      break;
    case 'anthropic':
      contentParts(request, 'system', 'system', parts);
      eachItem(request.messages, 'messages', (message, where) => {
        if (typeof message.content === 'string')
          field(message, 'content', `${where}.content`, parts);
        else
          eachItem(message.content, `${where}.content`, (block, at) => {
            field(block, 'text', at, parts);
            if (block.input !== undefined) jsonField(block, 'input', `${at}.input`, parts);
            contentParts(block, 'content', `${at}.content`, parts);
          });
      });
      break;
  }
  return parts;
}

function eachItem(list: unknown, where: string, visit: (item: Json, where: string) => void): void {
  if (!Array.isArray(list)) return;
  list.forEach((item, index) => {
    if (typeof item === 'object' && item !== null) visit(item as Json, `${where}[${index}]`);
  });
}

/** A string field (named `param`), or an array of text parts under it (`param[i]`). */
function contentParts(owner: Json, key: string, param: string, parts: TextPart[]): void {
  if (typeof owner[key] === 'string') field(owner, key, param, parts);
  else eachItem(owner[key], param, (part, at) => field(part, 'text', at, parts));
}

function field(owner: Json, key: string, param: string, parts: TextPart[]): void {
  const value = owner[key];
  if (typeof value !== 'string' || value.length === 0) return;
  parts.push({ param, text: value, set: (text) => (owner[key] = text) });
}

/** A tool input object: read as its JSON text; a redaction writes the parsed result back. */
function jsonField(owner: Json, key: string, param: string, parts: TextPart[]): void {
  const text = JSON.stringify(owner[key]);
  parts.push({
    param,
    text,
    set: (redacted) => {
      try {
        owner[key] = JSON.parse(redacted) as unknown;
      } catch {
        owner[key] = redacted;
      }
    },
  });
}
