import {
  canSeeTeam,
  missingPermission,
  PERMISSION_DESCRIPTIONS,
  PERMISSIONS,
  ROLE_PERMISSIONS,
  roleCan,
  roleWithin,
  visibleTeams,
  type Permission,
} from './permissions';
import { ROLES, type Role } from './principal';

describe('permission table', () => {
  it('gives admin every permission', () => {
    for (const p of PERMISSIONS) expect(roleCan('admin', p)).toBe(true);
  });

  // Issue 20's words, one row per role: what it must hold and what it must not.
  const cases: Array<[Role, Permission[], Permission[]]> = [
    [
      'developer',
      ['keys.read', 'keys.write', 'logs.read', 'logs.bodies', 'usage.read', 'alerts.read'],
      [
        'logs.delete',
        'audit.read',
        'alerts.write',
        'teams.write',
        'tokens.manage',
        'sessions.manage',
      ],
    ],
    [
      'viewer',
      ['usage.read'],
      ['keys.read', 'keys.write', 'logs.read', 'logs.bodies', 'logs.delete', 'audit.read'],
    ],
    [
      'auditor',
      ['audit.read', 'usage.read'],
      ['keys.write', 'logs.bodies', 'logs.delete', 'alerts.write', 'teams.write', 'tokens.manage'],
    ],
  ];
  it.each(cases)('%s holds %j and lacks %j', (role, holds, lacks) => {
    for (const p of holds) expect(roleCan(role, p)).toBe(true);
    for (const p of lacks) expect(roleCan(role, p)).toBe(false);
  });

  it('lets the auditor change nothing: it holds no write, delete or manage permission', () => {
    expect(ROLE_PERMISSIONS.auditor.filter((p) => /write|delete|manage/.test(p))).toEqual([]);
  });

  it('names only known permissions and describes each', () => {
    for (const role of ROLES)
      for (const p of ROLE_PERMISSIONS[role]) expect(PERMISSIONS).toContain(p);
    expect(Object.keys(PERMISSION_DESCRIPTIONS).sort()).toEqual([...PERMISSIONS].sort());
  });

  it('names the first missing permission', () => {
    expect(missingPermission('viewer', ['usage.read', 'keys.read', 'keys.write'])).toBe(
      'keys.read',
    );
    expect(missingPermission('developer', ['keys.read', 'keys.write'])).toBeUndefined();
    expect(missingPermission('viewer', [])).toBeUndefined();
  });
});

describe('team scope', () => {
  const dev = { role: 'developer' as const, teams: ['search'] };
  it('shows developers and viewers their own teams only, never a teamless item', () => {
    expect(canSeeTeam(dev, 'search')).toBe(true);
    expect(canSeeTeam(dev, 'ads')).toBe(false);
    expect(canSeeTeam(dev, undefined)).toBe(false);
    expect(canSeeTeam({ role: 'viewer', teams: [] }, 'search')).toBe(false);
    expect(visibleTeams(dev)).toEqual(['search']);
  });
  it('shows admins and auditors every team', () => {
    for (const role of ['admin', 'auditor'] as const) {
      expect(canSeeTeam({ role, teams: [] }, 'ads')).toBe(true);
      expect(canSeeTeam({ role, teams: [] }, undefined)).toBe(true);
      expect(visibleTeams({ role, teams: ['x'] })).toBeUndefined();
    }
  });
});

describe('role ceiling', () => {
  it.each([
    ['admin', 'admin', true],
    ['admin', 'auditor', true],
    ['developer', 'developer', true],
    ['developer', 'viewer', true],
    ['developer', 'admin', false],
    ['developer', 'auditor', false],
    ['viewer', 'developer', false],
    ['viewer', 'viewer', true],
    ['auditor', 'viewer', true],
    ['auditor', 'developer', false],
    ['auditor', 'admin', false],
  ] as Array<[Role, Role, boolean]>)('a %s may grant %s: %s', (maker, wanted, allowed) => {
    expect(roleWithin(wanted, maker)).toBe(allowed);
  });
});
