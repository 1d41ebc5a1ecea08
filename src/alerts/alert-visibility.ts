import type { AlertScope } from './alert-message';

/**
 * Whether one alert is within a caller's reach: every alert for callers who see every team
 * (`teams` undefined: admin, auditor); for a developer, the gateway-wide ones (error rate,
 * latency, Groq, stores: they concern every team), its own teams' budgets and those of its own
 * teams' virtual keys. An alert on another team, or a virtual key of another team or of none, is hidden.
 */
export function alertVisible(
  scope: AlertScope,
  teams: readonly string[] | undefined,
  teamOfKey: (virtualKey: string) => string | undefined,
): boolean {
  if (teams === undefined) return true;
  if (scope.team !== undefined) return teams.includes(scope.team);
  if (scope.virtualKey === undefined) return true;
  const team = teamOfKey(scope.virtualKey);
  return team !== undefined && teams.includes(team);
}
