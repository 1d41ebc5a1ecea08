import { roleCan, visibleTeams } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import type { LogAccess } from './request-logs-api.service';

/** What of the request logs a principal sees: its teams' records (or all), bodies or not. */
export function logAccessOf(principal: Principal): LogAccess {
  return { teams: visibleTeams(principal), bodies: roleCan(principal.role, 'logs.bodies') };
}
