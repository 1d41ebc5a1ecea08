import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/gateway-config';
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../common/errors/gateway-error';
import type { VirtualKeyRecord } from '../../config/governance-config';
import { sha256Hex } from '../../config/load-governance-config';
import { bareModelId } from '../../providers/model-router';
import { budgetPeriod, usdFromNano } from '../budget';
import { governanceUnavailable } from '../governance-errors';
import { GovernanceService } from '../governance.service';
import { generateVirtualKey, keyHint } from '../virtual-key';
import type { VirtualKeyRequestDto, VirtualKeyUpdateDto } from './dto/virtual-key-request.dto';
import { viewOf, VirtualKeyView } from './virtual-key-view';
import { AdminStoreAccess } from './admin-store-access';
import { canSeeTeam, seesAllTeams } from '../../auth/permissions';
import type { Principal } from '../../auth/principal';
import { principalOf } from '../../auth/request-principal';

/** Create, list, read, rotate and revoke virtual keys; every action goes to the audit log. */
@Injectable()
export class AdminKeysService {
  private readonly guardrailIds: ReadonlySet<string>;
  private readonly admin: AdminStoreAccess;

  constructor(
    private readonly governance: GovernanceService,
    config: ConfigService<AllConfig, true>,
  ) {
    this.admin = new AdminStoreAccess(governance);
    this.guardrailIds = new Set(
      config.get('gateway', { infer: true }).guardrails.policies.map((p) => p.id),
    );
  }

  async create(
    request: FastifyRequest,
    body: VirtualKeyRequestDto,
  ): Promise<VirtualKeyView & { key: string }> {
    await this.admin.current();
    const id = body.id ?? `vk-${randomBytes(6).toString('hex')}`;
    // The team first: a developer naming another team learns nothing of that team's key ids.
    const team = this.teamForNewKey(request, id, body.team);
    if (this.governance.registry.byKeyId(id)) {
      this.admin.audit(request, 'key.create', id, 'invalid', 409);
      throw new GatewayError({
        status: 409,
        message: `A virtual key with id '${id}' exists. Choose another id, or rotate that key.`,
        param: 'id',
        code: 'key_exists',
      });
    }
    this.checkGuardrails(request, 'key.create', id, body.guardrails);
    const key = generateVirtualKey();
    const record: VirtualKeyRecord = {
      id,
      name: body.name,
      ...(team !== undefined && { team }),
      keySha256: sha256Hex(key),
      hint: keyHint(key),
      source: 'admin',
      createdAt: new Date().toISOString(),
      models: (body.models ?? []).map(bareModelId),
      requestsPerMinute: body.requestsPerMinute,
      tokensPerMinute: body.tokensPerMinute,
      budget: body.budget
        ? { usd: body.budget.usd, period: body.budget.period ?? 'monthly' }
        : undefined,
      ...(body.guardrails?.length && { guardrails: [...new Set(body.guardrails)] }),
      ...(body.onRetired && { onRetired: body.onRetired }),
    };
    await this.admin.save((store) => store.saveKey(record));
    this.admin.audit(request, 'key.create', id, 'ok', 201);
    // The only time the key is shown: only its digest is kept.
    return { ...viewOf(record), key };
  }

  async list(request: FastifyRequest): Promise<{ object: 'list'; data: VirtualKeyView[] }> {
    await this.admin.current();
    this.admin.audit(request, 'key.list', undefined, 'ok', 200);
    const principal = principalOf(request);
    const data = this.governance.registry
      .all()
      .filter((record) => canSeeTeam(principal, record.team));
    return { object: 'list', data: data.map(viewOf) };
  }

  async get(request: FastifyRequest, id: string): Promise<VirtualKeyView> {
    const record = await this.find(request, 'key.get', id);
    this.admin.audit(request, 'key.get', id, 'ok', 200);
    return viewOf(record);
  }

  async usage(request: FastifyRequest, id: string) {
    const record = await this.find(request, 'key.usage', id);
    const nowMs = Date.now();
    const window = record.budget ? budgetPeriod(record.budget.period, nowMs) : undefined;
    let usage;
    try {
      usage = await this.governance.store.usage(id, window?.label);
    } catch {
      throw governanceUnavailable('admin');
    }
    this.admin.audit(request, 'key.usage', id, 'ok', 200);
    return {
      id,
      lastMinute: {
        requests: usage.requestsInWindow,
        tokens: usage.tokensInWindow,
        requestsPerMinute: record.requestsPerMinute ?? null,
        tokensPerMinute: record.tokensPerMinute ?? null,
      },
      budget:
        record.budget && window
          ? {
              usd: record.budget.usd,
              period: record.budget.period,
              periodLabel: window.label,
              spentUsd: usdFromNano(usage.spentNanoUsd),
              reservedUsd: usdFromNano(usage.reservedNanoUsd),
              remainingUsd: Math.max(
                0,
                record.budget.usd - usdFromNano(usage.spentNanoUsd + usage.reservedNanoUsd),
              ),
              resetsAt: new Date(window.endsAtMs).toISOString(),
            }
          : null,
      // Calls admitted and not yet settled: their worst case, held against the limits above.
      inFlight: {
        calls: usage.reservations,
        reservedTokens: usage.reservedTokens,
        reservedUsd: usdFromNano(usage.reservedNanoUsd),
      },
    };
  }

  async rotate(request: FastifyRequest, id: string): Promise<VirtualKeyView & { key: string }> {
    const record = this.changeable(
      request,
      'key.rotate',
      await this.find(request, 'key.rotate', id),
    );
    const key = generateVirtualKey();
    const rotated: VirtualKeyRecord = {
      ...record,
      keySha256: sha256Hex(key),
      hint: keyHint(key),
      rotatedAt: new Date().toISOString(),
    };
    await this.admin.save((store) => store.saveKey(rotated));
    this.admin.audit(request, 'key.rotate', id, 'ok', 200);
    return { ...viewOf(rotated), key };
  }

  /**
   * Changes an admin-made key's settings: each field given replaces the key's, `null` takes it
   * off; the key itself, its id and its usage stay. Config keys are changed in GATEWAY_CONFIG.
   */
  async update(
    request: FastifyRequest,
    id: string,
    body: VirtualKeyUpdateDto,
  ): Promise<VirtualKeyView> {
    const record = this.changeable(
      request,
      'key.update',
      await this.find(request, 'key.update', id),
    );
    this.checkGuardrails(request, 'key.update', id, body.guardrails ?? undefined);
    const given = (field: keyof VirtualKeyUpdateDto) => Object.hasOwn(body, field);
    const updated: VirtualKeyRecord = { ...record };
    if (given('name')) updated.name = body.name ?? undefined;
    if (given('models')) updated.models = (body.models ?? []).map(bareModelId);
    if (given('requestsPerMinute')) updated.requestsPerMinute = body.requestsPerMinute ?? undefined;
    if (given('tokensPerMinute')) updated.tokensPerMinute = body.tokensPerMinute ?? undefined;
    if (given('budget'))
      updated.budget = body.budget
        ? { usd: body.budget.usd, period: body.budget.period ?? 'monthly' }
        : undefined;
    if (given('guardrails'))
      updated.guardrails = body.guardrails?.length ? [...new Set(body.guardrails)] : undefined;
    if (given('onRetired')) updated.onRetired = body.onRetired ?? undefined;
    await this.admin.save((store) => store.saveKey(updated));
    this.admin.audit(request, 'key.update', id, 'ok', 200);
    return viewOf(updated);
  }

  async revoke(request: FastifyRequest, id: string): Promise<VirtualKeyView> {
    const record = this.changeable(
      request,
      'key.revoke',
      await this.find(request, 'key.revoke', id),
    );
    const revoked: VirtualKeyRecord = { ...record, revokedAt: new Date().toISOString() };
    await this.admin.save((store) => store.saveKey(revoked));
    this.admin.audit(request, 'key.revoke', id, 'ok', 200);
    return viewOf(revoked);
  }

  private async find(
    request: FastifyRequest,
    action: string,
    id: string,
  ): Promise<VirtualKeyRecord> {
    await this.admin.current();
    const record = this.governance.registry.byKeyId(id);
    // A key of another team answers as one that does not exist: its id tells nothing.
    if (record && canSeeTeam(principalOf(request), record.team)) return record;
    this.admin.audit(request, action, id, 'not_found', 404);
    throw new GatewayError({
      status: 404,
      message: `No virtual key with id '${id}'.`,
      code: 'key_not_found',
    });
  }

  /**
   * The team a new key joins: the one asked for, which a developer must be a member of; a
   * developer of one team who names none gets that team. Admins may leave a key teamless.
   */
  private teamForNewKey(
    request: FastifyRequest,
    id: string,
    asked: string | undefined,
  ): string | undefined {
    const principal: Principal = principalOf(request);
    const known = (team: string | undefined) => {
      if (team === undefined || this.governance.registry.team(team)) return team;
      this.admin.audit(request, 'key.create', id, 'invalid', 400);
      throw new GatewayError({
        status: 400,
        message: `No team '${team.slice(0, 64)}'. Teams are listed in GATEWAY_CONFIG teams or made with POST /admin/teams.`,
        param: 'team',
        code: 'team_not_found',
      });
    };
    if (seesAllTeams(principal)) return known(asked);
    if (asked === undefined && principal.teams.length === 1) return known(principal.teams[0]);
    if (asked !== undefined && principal.teams.includes(asked)) return known(asked);
    this.admin.audit(request, 'key.create', id, 'invalid', 400);
    throw new GatewayError({
      status: 400,
      message:
        asked === undefined
          ? `Name the key's team: one of yours (${principal.teams.join(', ') || 'you have none'}).`
          : `You are not a member of team '${asked.slice(0, 64)}'; your teams: ${principal.teams.join(', ') || 'none'}.`,
      param: 'team',
      code: 'team_not_found',
    });
  }

  /** Every guardrail policy a key names must be configured. */
  private checkGuardrails(
    request: FastifyRequest,
    action: string,
    id: string,
    guardrails: readonly string[] | undefined,
  ): void {
    const unknownGuardrail = guardrails?.find((g) => !this.guardrailIds.has(g));
    if (unknownGuardrail === undefined) return;
    this.admin.audit(request, action, id, 'invalid', 400);
    throw new GatewayError({
      status: 400,
      message: `Unknown guardrail policy '${unknownGuardrail.slice(0, 64)}'. Configured policies: ${[...this.guardrailIds].join(', ') || 'none'}.`,
      param: 'guardrails',
      code: 'unknown_guardrail',
    });
  }

  /** Config keys are the operator's: changed in GATEWAY_CONFIG, not here. */
  private changeable(request: FastifyRequest, action: string, record: VirtualKeyRecord) {
    const problem =
      record.source === 'config'
        ? `'${record.id}' is defined in GATEWAY_CONFIG; change it there.`
        : record.revokedAt
          ? `'${record.id}' is revoked; create a new key instead.`
          : undefined;
    if (!problem) return record;
    this.admin.audit(request, action, record.id, 'invalid', 409);
    throw new GatewayError({ status: 409, message: problem, code: 'key_not_changeable' });
  }
}
