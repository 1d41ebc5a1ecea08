import type { AuditActor } from '../governance/audit-log';
import type { Principal } from './principal';

/**
 * How an admin action's audit line names its caller: subject, role and how they signed in. The
 * admin key stays `admin`, as audit lines named it before roles existed.
 */
export function auditActor(principal: Principal): AuditActor {
  const actor = principal.via === 'admin_key' ? 'admin' : principal.subject;
  return { actor, role: principal.role, via: principal.via };
}
