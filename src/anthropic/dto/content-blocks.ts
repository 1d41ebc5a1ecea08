import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * The shapes of the content blocks the Messages converter reads, checked before it reads them, so
 * a malformed block is a 400 naming it in Anthropic's path style (`messages.0.content.1.id`), not
 * a failure inside the converter or a request Groq refuses. Block types the converter refuses
 * (image, document, ...) only need a `type` here: the converter says why it refuses them.
 */

const BLOCK =
  'must be a content block: an object with a type, such as {"type": "text", "text": "..."}';

/** The first problem in a Messages request's `messages`, or undefined. */
export function messagesProblem(messages: readonly unknown[]): string | undefined {
  for (const [index, message] of messages.entries()) {
    // Not an object, or its role: reported by the list's and the message's own rules.
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    const path = `messages.${index}`;
    if (typeof content !== 'string' && !Array.isArray(content))
      return expected(`${path}.content`, content, 'a string or an array of content blocks');
    // Anthropic's rule: an empty final assistant turn is a prefill of nothing, any other empty turn is refused.
    if (content.length === 0 && !(role === 'assistant' && index === messages.length - 1))
      return `${path}: all messages must have non-empty content except for the optional final assistant message`;
    if (Array.isArray(content)) {
      const problem = blocksProblem(content, `${path}.content`);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** The first problem in `system` (a string, or text blocks), or undefined. */
export function systemProblem(system: unknown): string | undefined {
  if (typeof system === 'string') return undefined;
  if (!Array.isArray(system)) return 'system: must be a string or an array of text blocks';
  return blocksProblem(system, 'system');
}

function blocksProblem(blocks: readonly unknown[], listPath: string): string | undefined {
  for (const [index, block] of blocks.entries()) {
    const problem = blockProblem(block, `${listPath}.${index}`);
    if (problem) return problem;
  }
  return undefined;
}

function blockProblem(block: unknown, path: string): string | undefined {
  if (typeof block !== 'object' || block === null || Array.isArray(block))
    return `${path}: ${BLOCK}`;
  const fields = block as Record<string, unknown>;
  if (!isNonEmptyString(fields.type))
    return expected(
      `${path}.type`,
      fields.type,
      'a string such as "text", "tool_use" or "tool_result"',
    );
  switch (fields.type) {
    case 'text':
      if (!isString(fields.text)) return expected(`${path}.text`, fields.text, 'a string');
      // Anthropic refuses an empty text block wherever it stands; Groq would get an empty message.
      return fields.text === '' ? `${path}.text: text content blocks must be non-empty` : undefined;
    case 'tool_use':
      if (!isNonEmptyString(fields.id))
        return expected(`${path}.id`, fields.id, 'the id of the tool call, a non-empty string');
      if (!isNonEmptyString(fields.name))
        return expected(
          `${path}.name`,
          fields.name,
          'the name of the tool called, a non-empty string',
        );
      if (fields.input !== undefined && !isJsonObject(fields.input))
        return `${path}.input: must be a JSON object, the tool's arguments`;
      return undefined;
    case 'tool_result':
      if (!isNonEmptyString(fields.tool_use_id))
        return expected(
          `${path}.tool_use_id`,
          fields.tool_use_id,
          'the id of the tool_use block this result answers, a non-empty string',
        );
      if (fields.is_error !== undefined && typeof fields.is_error !== 'boolean')
        return `${path}.is_error: must be a boolean`;
      if (fields.content === undefined || isString(fields.content)) return undefined;
      if (!Array.isArray(fields.content))
        return `${path}.content: must be a string or an array of text blocks`;
      return blocksProblem(fields.content, `${path}.content`);
    case 'thinking':
      return isString(fields.thinking)
        ? undefined
        : expected(`${path}.thinking`, fields.thinking, 'a string');
    case 'redacted_thinking':
      return isString(fields.data) ? undefined : expected(`${path}.data`, fields.data, 'a string');
    default:
      return undefined;
  }
}

/** Anthropic's "Field required" for a missing field; what it must be for a wrong one. */
function expected(path: string, value: unknown, what: string): string {
  return value === undefined ? `${path}: Field required, ${what}` : `${path}: must be ${what}`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNonEmptyString = (value: unknown): boolean => typeof value === 'string' && value !== '';
const isJsonObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `messages`: each message's content and blocks, checked with their place in the list. */
export function IsAnthropicMessages(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAnthropicMessages',
      validator: {
        // Not a list: the list's own rules say so.
        validate: (value: unknown) => !Array.isArray(value) || !messagesProblem(value),
        defaultMessage: (args) => messagesProblem(args?.value as unknown[]) ?? '',
      },
    },
    options,
  );
}

/** `system`: a string or text blocks. */
export function IsAnthropicSystem(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isAnthropicSystem',
      validator: {
        validate: (value: unknown) => !systemProblem(value),
        defaultMessage: (args) => systemProblem(args?.value) ?? '',
      },
    },
    options,
  );
}
