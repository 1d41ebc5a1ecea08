import { GatewayError } from '../errors/gateway-error';

/** 405 with the `allow` header HTTP asks for and a message naming the method to use. */
export function methodNotAllowed(method: string, path: string, allowed: string[]): GatewayError {
  return new GatewayError({
    status: 405,
    message: `${method} is not allowed on ${path}. Use ${allowed.join(' or ')}.`,
    code: 'method_not_allowed',
    headers: { allow: allowed.join(', ') },
  });
}
