import { ValidateBy, ValidationOptions } from 'class-validator';

/** A value OpenAI lets be a string or a list (Responses `input`, completions `prompt`). */
export function IsStringOrArray(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isStringOrArray',
      validator: {
        validate: (value: unknown) => typeof value === 'string' || Array.isArray(value),
        defaultMessage: (args) => `${args?.property} must be a string or an array`,
      },
    },
    options,
  );
}
