import type { FastifyRequest } from 'fastify';
import { auditActor } from '../../auth/audit-actor';
import { principalOf } from '../../auth/request-principal';
import { requestOrigin } from '../audit-log';
import { governanceUnavailable } from '../governance-errors';
import type { GovernanceService } from '../governance.service';
import type { GovernanceStore } from '../store/governance-store';

export type AdminAuditOutcome = 'ok' | 'not_found' | 'invalid';

/**
 * What the admin services (keys, teams) share: they read the store itself rather than a cache a
 * second old, save through it and refresh, and write one audit line per action with who called.
 */
export class AdminStoreAccess {
  constructor(private readonly governance: GovernanceService) {}

  async current(): Promise<void> {
    if (!(await this.governance.refreshKeys(true))) throw governanceUnavailable('admin');
  }

  async save(write: (store: GovernanceStore) => Promise<void>): Promise<void> {
    try {
      await write(this.governance.store);
    } catch {
      throw governanceUnavailable('admin');
    }
    await this.governance.refreshKeys(true);
  }

  audit(
    request: FastifyRequest,
    action: string,
    target: string | undefined,
    outcome: AdminAuditOutcome,
    status: number,
  ): void {
    this.governance.audit.write({
      action,
      ...auditActor(principalOf(request)),
      target,
      outcome,
      status,
      ...requestOrigin(request),
    });
  }
}
