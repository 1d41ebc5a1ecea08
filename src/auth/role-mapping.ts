import type { RoleMapping } from './auth-config';
import type { Role } from './principal';

export interface MappedRole {
  role: Role;
  teams: string[];
}

/**
 * The role and teams a user's claim (OIDC) or attribute (SAML) values grant: the first mapping in
 * the configured order that matches any value gives the role (so list the most privileged
 * first); the teams are those of every matching mapping that gives that same role. No match:
 * undefined (the user may not sign in).
 */
export function mapRole(
  values: readonly string[],
  mappings: readonly RoleMapping[],
): MappedRole | undefined {
  const held = new Set(values);
  const matching = mappings.filter((mapping) => held.has(mapping.match));
  if (matching.length === 0) return undefined;
  const role = matching[0].role;
  const teams = new Set<string>();
  for (const mapping of matching) {
    if (mapping.role === role) for (const team of mapping.teams) teams.add(team);
  }
  return { role, teams: [...teams] };
}

/**
 * A claim or attribute as a list of strings: an array (its strings and numbers) or one value.
 */
export function claimValues(raw: unknown): string[] {
  if (typeof raw === 'string') return [raw];
  if (typeof raw === 'number') return [String(raw)];
  if (Array.isArray(raw))
    return raw
      .filter((v): v is string | number => typeof v === 'string' || typeof v === 'number')
      .map(String);
  return [];
}
