import { GatewayError } from '../common/errors/gateway-error';
import { PERMISSION_DESCRIPTIONS, type Permission } from './permissions';
import type { Principal } from './principal';

export function adminApiDisabled(): GatewayError {
  return new GatewayError({
    status: 403,
    message:
      'The admin API is off. Set GATEWAY_ADMIN_KEY (or GATEWAY_ADMIN_KEY_FILE) to turn it on, or configure auth for sign-in.',
    code: 'admin_api_disabled',
  });
}

/** No credential, or one that is not the admin key, a live token or a session. */
export function notAuthenticated(signInConfigured: boolean): GatewayError {
  return new GatewayError({
    status: 401,
    message: `The admin API needs GATEWAY_ADMIN_KEY or a personal access token as Authorization: Bearer <key>${signInConfigured ? ', or a session (sign in at /auth/login)' : ''}.`,
    code: 'invalid_admin_key',
  });
}

export function tokenExpired(): GatewayError {
  return new GatewayError({
    status: 401,
    message: 'This personal access token has expired. Create a new one with POST /admin/tokens.',
    code: 'access_token_expired',
  });
}

export function permissionDenied(principal: Principal, permission: Permission): GatewayError {
  return new GatewayError({
    status: 403,
    message: `Role '${principal.role}' lacks the permission '${permission}' (${PERMISSION_DESCRIPTIONS[permission]}). Ask an admin for a role that holds it; docs/access.md lists them.`,
    code: 'permission_denied',
  });
}
