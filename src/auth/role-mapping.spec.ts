import type { RoleMapping } from './auth-config';
import { claimValues, mapRole } from './role-mapping';

const mappings: RoleMapping[] = [
  { match: 'platform-admins', role: 'admin', teams: [] },
  { match: 'search-devs', role: 'developer', teams: ['search'] },
  { match: 'ml-devs', role: 'developer', teams: ['ml', 'search'] },
  { match: 'finance', role: 'viewer', teams: ['billing'] },
];

describe('mapRole', () => {
  it('gives the role of the first matching mapping in configured order', () => {
    expect(mapRole(['finance', 'platform-admins'], mappings)).toEqual({ role: 'admin', teams: [] });
  });

  it('unions the teams of every matching mapping with that role, not of other roles', () => {
    expect(mapRole(['finance', 'ml-devs', 'search-devs'], mappings)).toEqual({
      role: 'developer',
      teams: ['search', 'ml'],
    });
  });

  it('refuses a user no mapping matches (values are matched whole, case-sensitively)', () => {
    expect(mapRole(['Finance', 'search'], mappings)).toBeUndefined();
    expect(mapRole([], mappings)).toBeUndefined();
  });
});

describe('claimValues', () => {
  it('reads a list, a single string or number, and nothing else', () => {
    expect(claimValues(['a', 2, { x: 1 }, null])).toEqual(['a', '2']);
    expect(claimValues('platform-admins')).toEqual(['platform-admins']);
    expect(claimValues(7)).toEqual(['7']);
    expect(claimValues(undefined)).toEqual([]);
    expect(claimValues({ groups: ['a'] })).toEqual([]);
  });
});
