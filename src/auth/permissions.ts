import type { Principal, Role } from './principal';

/**
 * Everything the admin side lets a caller do, one name per action. Routes name what they need
 * with `@Requires(...)`; the table below says which role holds which. Team-scoped permissions
 * (see `TEAM_SCOPED`) reach only a developer's or viewer's own teams.
 */
export const PERMISSIONS = [
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
export type Permission = (typeof PERMISSIONS)[number];

/** What each permission allows, for the docs and for error messages. */
export const PERMISSION_DESCRIPTIONS: Record<Permission, string> = {
  'keys.read': 'list and read virtual keys and their usage',
  'keys.write': 'create, rotate and revoke virtual keys',
  'logs.read': 'list, read and export request logs (bodies need logs.bodies)',
  'logs.bodies': 'see the request and response bodies in request logs',
  'logs.delete': 'erase request logs',
  'usage.read': 'read usage and spend (stats, key and team usage)',
  'audit.read': 'read the audit log',
  'alerts.read': 'read alert rules and their state',
  'alerts.write':
    'send a test alert through the configured channels (rules come from configuration)',
  'teams.read': 'list and read teams and their usage',
  'teams.write': 'create, change and delete teams',
  'tokens.own': 'create, list and delete your own personal access tokens',
  'tokens.manage': "list and revoke every user's personal access tokens",
  'sessions.manage': "list and revoke every user's sessions",
  'config.read': "read the gateway's effective configuration (no secrets)",
};

/**
 * The permission table of issue 20: admin everything; developer manages its teams' virtual keys
 * and reads its teams' logs, spend and alerts; viewer reads its teams' usage (no keys, no
 * bodies); auditor reads the audit log and all usage (and what an audit needs: keys, logs
 * without bodies, teams, alerts, config) and changes nothing.
 */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  developer: [
    'keys.read',
    'keys.write',
    'logs.read',
    'logs.bodies',
    'usage.read',
    'alerts.read',
    'teams.read',
    'tokens.own',
  ],
  viewer: ['usage.read', 'teams.read', 'tokens.own'],
  auditor: [
    'audit.read',
    'usage.read',
    'keys.read',
    'logs.read',
    'teams.read',
    'alerts.read',
    'config.read',
    'tokens.own',
  ],
};

const GRANTS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ROLE_PERMISSIONS.admin),
  developer: new Set(ROLE_PERMISSIONS.developer),
  viewer: new Set(ROLE_PERMISSIONS.viewer),
  auditor: new Set(ROLE_PERMISSIONS.auditor),
};

/** Whether a role holds a permission. */
export function roleCan(role: Role, permission: Permission): boolean {
  return GRANTS[role].has(permission);
}

/** The first of `permissions` the role lacks, or undefined when it holds them all. */
export function missingPermission(
  role: Role,
  permissions: readonly Permission[],
): Permission | undefined {
  return permissions.find((p) => !roleCan(role, p));
}

/** Admin and auditor act on every team; developer and viewer on their own teams only. */
export function seesAllTeams(principal: Pick<Principal, 'role'>): boolean {
  return principal.role === 'admin' || principal.role === 'auditor';
}

/**
 * The teams a principal may see: undefined for every team, else its own (possibly none, in which
 * case it sees nothing team-scoped: a key or log without a team belongs to no developer).
 */
export function visibleTeams(
  principal: Pick<Principal, 'role' | 'teams'>,
): readonly string[] | undefined {
  return seesAllTeams(principal) ? undefined : principal.teams;
}

/** Whether an item of `team` (undefined: no team) is within a principal's reach. */
export function canSeeTeam(
  principal: Pick<Principal, 'role' | 'teams'>,
  team: string | undefined,
): boolean {
  if (seesAllTeams(principal)) return true;
  return team !== undefined && principal.teams.includes(team);
}

/** Roles ordered by what they may do, for "a token never holds more than its maker's role". */
export function roleWithin(wanted: Role, maker: Role): boolean {
  if (maker === 'admin') return true;
  return [...GRANTS[wanted]].every((p) => GRANTS[maker].has(p));
}
