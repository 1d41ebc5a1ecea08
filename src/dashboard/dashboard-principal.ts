import type { Principal } from '../auth/principal';

/** The admin key's principal: the break-glass admin (issue 20). */
export const ADMIN_KEY_PRINCIPAL: Principal = {
  subject: 'admin-key',
  role: 'admin',
  teams: [],
  via: 'admin_key',
};

/** Issue 20's permission names; the admin holds them all. */
const ADMIN_PERMISSIONS = [
  'keys.read',
  'keys.write',
  'logs.read',
  'logs.bodies',
  'logs.delete',
  'usage.read',
  'audit.read',
  'alerts.read',
  'alerts.write',
  'teams.read',
  'teams.write',
  'tokens.own',
  'tokens.manage',
  'sessions.manage',
  'config.read',
] as const;

/** Until the permission table lands, only the admin key reaches the admin API. */
export function permissionsOf(principal: Principal): string[] {
  return principal.role === 'admin' ? [...ADMIN_PERMISSIONS] : [];
}
