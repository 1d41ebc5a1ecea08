import type { ValidationError } from 'class-validator';

export interface FirstViolation {
  /** Path in OpenAI's style: `messages[0].content`, `tools[1].function.name`. */
  param: string;
  message: string;
}

/** The first failed rule in class-validator's error tree, with its full path and message. */
export function firstViolation(
  errors: readonly ValidationError[],
  parent = '',
): FirstViolation | undefined {
  for (const error of errors) {
    const param = joinPath(parent, error.property);
    if (error.constraints) {
      const message = Object.values(error.constraints)[0];
      return { param, message: withFullPath(message, error.property, param) };
    }
    const nested = firstViolation(error.children ?? [], param);
    if (nested) return nested;
  }
  return undefined;
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/** class-validator names only the leaf property; a person needs the whole path. */
function withFullPath(message: string, property: string, param: string): string {
  return message.startsWith(`${property} `) ? `${param}${message.slice(property.length)}` : message;
}
