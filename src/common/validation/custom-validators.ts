import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * Rules class-validator has no decorator for: values that may take one of several JSON shapes,
 * as OpenAI's parameters often do. Each returns a message that says what was expected.
 */

/** OpenAI's `stop`: a string or up to `max` strings. */
export function IsStopSequences(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStopSequences',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (Array.isArray(value) &&
            value.length <= max &&
            value.every((item) => typeof item === 'string')),
        defaultMessage: (args) =>
          `${args?.property} must be a string or an array of at most ${max} strings`,
      },
    },
    options,
  );
}

/** Message content: a string, or an array of content parts each with a string `type`. */
export function IsMessageContent(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isMessageContent',
      validator: {
        validate: (value: unknown) => {
          if (typeof value === 'string') return true;
          if (!Array.isArray(value)) return false;
          return value.every(isValidContentPart);
        },
        defaultMessage: (args) =>
          Array.isArray(args?.value)
            ? `${args?.property} parts must be objects with a type; text parts need a string text (part ${(args?.value as unknown[]).findIndex((p) => !isValidContentPart(p))} is not)`
            : `${args?.property} must be a string or an array of content parts`,
      },
    },
    options,
  );
}

function isValidContentPart(part: unknown): boolean {
  if (typeof part !== 'object' || part === null) return false;
  const { type, text } = part as { type?: unknown; text?: unknown };
  if (typeof type !== 'string') return false;
  return type !== 'text' || typeof text === 'string';
}

/** `tool_choice`: none | auto | required, or `{type: "function", function: {name}}`. */
export function IsToolChoice(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isToolChoice',
      validator: {
        validate: (value: unknown) => {
          if (value === 'none' || value === 'auto' || value === 'required') return true;
          if (typeof value !== 'object' || value === null) return false;
          const choice = value as { type?: unknown; function?: { name?: unknown } };
          return (
            choice.type === 'function' &&
            typeof choice.function?.name === 'string' &&
            choice.function.name.length > 0
          );
        },
        defaultMessage: (args) =>
          `${args?.property} must be 'none', 'auto', 'required' or {"type": "function", "function": {"name": "..."}}`,
      },
    },
    options,
  );
}

/** `reasoning`: an effort string or `{effort}` (values are checked where they are mapped). */
export function IsReasoning(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isReasoning',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' ||
          (typeof value === 'object' && value !== null && !Array.isArray(value)),
        defaultMessage: (args) =>
          `${args?.property} must be an effort string or an object such as {"effort": "low"}`,
      },
    },
    options,
  );
}

/** A plain JSON object (not an array, not null). */
export function IsJsonObject(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonObject',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' && value !== null && !Array.isArray(value),
        defaultMessage: (args) => `${args?.property} must be a JSON object`,
      },
    },
    options,
  );
}
