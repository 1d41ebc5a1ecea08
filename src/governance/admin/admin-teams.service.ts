import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { canSeeTeam } from '../../auth/permissions';
import { principalOf } from '../../auth/request-principal';
import { GatewayError } from '../../common/errors/gateway-error';
import type { TeamRecord } from '../../config/governance-config';
import { budgetPeriod, usdFromNano } from '../budget';
import { governanceUnavailable } from '../governance-errors';
import { GovernanceService } from '../governance.service';
import { AdminStoreAccess } from './admin-store-access';
import type { CreateTeamDto, UpdateTeamDto } from './dto/team-request.dto';

/** Teams: made, read, changed and deleted by admins; read within scope by the other roles. */
@Injectable()
export class AdminTeamsService {
  private readonly admin: AdminStoreAccess;

  constructor(private readonly governance: GovernanceService) {
    this.admin = new AdminStoreAccess(governance);
  }

  async list(request: FastifyRequest) {
    await this.admin.current();
    const principal = principalOf(request);
    const data = this.governance.registry
      .allTeams()
      .filter((team) => canSeeTeam(principal, team.id))
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((team) => this.view(team));
    this.admin.audit(request, 'team.list', undefined, 'ok', 200);
    return { object: 'list', data };
  }

  async get(request: FastifyRequest, id: string) {
    const team = await this.find(request, 'team.get', id);
    this.admin.audit(request, 'team.get', id, 'ok', 200);
    return this.view(team);
  }

  async create(request: FastifyRequest, body: CreateTeamDto) {
    await this.admin.current();
    if (this.governance.registry.team(body.id)) {
      this.admin.audit(request, 'team.create', body.id, 'invalid', 409);
      throw new GatewayError({
        status: 409,
        message: `A team with id '${body.id}' exists. Choose another id, or change that team with PATCH.`,
        param: 'id',
        code: 'team_exists',
      });
    }
    const team: TeamRecord = {
      id: body.id,
      name: body.name,
      ...(body.budget && {
        budget: { usd: body.budget.usd, period: body.budget.period ?? 'monthly' },
      }),
      source: 'admin',
      createdAt: new Date().toISOString(),
    };
    await this.admin.save((store) => store.saveTeam(team));
    this.admin.audit(request, 'team.create', team.id, 'ok', 201);
    return this.view(team);
  }

  async update(request: FastifyRequest, id: string, body: UpdateTeamDto) {
    const team = this.changeable(
      request,
      'team.update',
      await this.find(request, 'team.update', id),
    );
    const updated: TeamRecord = {
      ...team,
      ...(body.name !== undefined && { name: body.name }),
      updatedAt: new Date().toISOString(),
    };
    if (body.budget === null) delete updated.budget;
    else if (body.budget)
      updated.budget = { usd: body.budget.usd, period: body.budget.period ?? 'monthly' };
    await this.admin.save((store) => store.saveTeam(updated));
    this.admin.audit(request, 'team.update', id, 'ok', 200);
    return this.view(updated);
  }

  /** A team with live keys stays: its keys would lose their team budget silently. */
  async remove(request: FastifyRequest, id: string) {
    const team = this.changeable(
      request,
      'team.delete',
      await this.find(request, 'team.delete', id),
    );
    const keys = this.liveKeysOf(id);
    if (keys.length > 0) {
      this.admin.audit(request, 'team.delete', id, 'invalid', 409);
      throw new GatewayError({
        status: 409,
        message: `Team '${id}' still has virtual keys (${keys.slice(0, 10).join(', ')}); revoke them first.`,
        code: 'team_not_changeable',
      });
    }
    try {
      await this.governance.store.deleteTeam(id);
    } catch {
      throw governanceUnavailable('admin');
    }
    await this.governance.refreshKeys(true);
    this.admin.audit(request, 'team.delete', id, 'ok', 200);
    return { ...this.view(team), deleted: true };
  }

  /** The team's spend this period (all its keys), its budget and what its calls in flight hold. */
  async usage(request: FastifyRequest, id: string) {
    const team = await this.find(request, 'team.usage', id);
    const window = budgetPeriod(team.budget?.period ?? 'monthly', Date.now());
    let usage;
    try {
      usage = await this.governance.store.teamUsage(id, window.label);
    } catch {
      throw governanceUnavailable('admin');
    }
    this.admin.audit(request, 'team.usage', id, 'ok', 200);
    const spentUsd = usdFromNano(usage.spentNanoUsd);
    const reservedUsd = usdFromNano(usage.reservedNanoUsd);
    return {
      id,
      period: team.budget?.period ?? 'monthly',
      periodLabel: window.label,
      resetsAt: new Date(window.endsAtMs).toISOString(),
      spentUsd,
      budget: team.budget
        ? {
            usd: team.budget.usd,
            period: team.budget.period,
            reservedUsd,
            remainingUsd: Math.max(
              0,
              team.budget.usd - usdFromNano(usage.spentNanoUsd + usage.reservedNanoUsd),
            ),
          }
        : null,
      inFlight: { calls: usage.reservations, reservedUsd },
      keys: this.liveKeysOf(id),
    };
  }

  private view(team: TeamRecord) {
    return { ...team, keys: this.liveKeysOf(team.id).length };
  }

  private liveKeysOf(id: string): string[] {
    return this.governance.registry
      .all()
      .filter((key) => key.team === id && !key.revokedAt)
      .map((key) => key.id);
  }

  /** Another team than the caller's answers as one that does not exist. */
  private async find(request: FastifyRequest, action: string, id: string): Promise<TeamRecord> {
    await this.admin.current();
    const team = this.governance.registry.team(id);
    if (team && canSeeTeam(principalOf(request), team.id)) return team;
    this.admin.audit(request, action, id, 'not_found', 404);
    throw new GatewayError({
      status: 404,
      message: `No team with id '${id.slice(0, 64)}'.`,
      param: 'id',
      code: 'team_not_found',
    });
  }

  private changeable(request: FastifyRequest, action: string, team: TeamRecord): TeamRecord {
    if (team.source !== 'config') return team;
    this.admin.audit(request, action, team.id, 'invalid', 409);
    throw new GatewayError({
      status: 409,
      message: `Team '${team.id}' is defined in GATEWAY_CONFIG; change it there.`,
      code: 'team_not_changeable',
    });
  }
}
