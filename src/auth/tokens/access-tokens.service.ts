import { requestOrigin } from '../../governance/audit-log';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../../common/errors/gateway-error';
import type { AllConfig } from '../../config/gateway-config';
import { LiveConfig } from '../../config/live-config';
import { sha256Hex } from '../../config/load-governance-config';
import { GovernanceService } from '../../governance/governance.service';
import { notAuthenticated } from '../access-errors';
import { auditActor } from '../audit-actor';
import { roleCan, roleWithin, seesAllTeams } from '../permissions';
import type { Principal } from '../principal';
import {
  accountableFor,
  descendantsOf,
  expiryOf,
  generateAccessToken,
  isExpired,
  tokenHint,
  tokenView,
  type AccessTokenRecord,
  type AccessTokenView,
} from './access-token';
import type { CreateTokenDto } from './create-token.dto';
import { MemoryTokenStore, RedisTokenStore, type TokenStore } from './token-store';

/** What a presented bearer turned out to be. */
export type TokenLookup =
  | { kind: 'none' }
  | { kind: 'expired'; record: AccessTokenRecord }
  | { kind: 'valid'; principal: Principal };

/** Personal access tokens for automation: made, listed, deleted, and resolved to a principal. */
@Injectable()
export class AccessTokensService implements OnModuleDestroy {
  private readonly logger = new Logger('AccessTokens');
  private readonly store: TokenStore;
  private lastWarning = 0;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly governance: GovernanceService,
    live: LiveConfig,
  ) {
    const redisUrl = configService.get('gateway', { infer: true }).redisUrl;
    const redis = redisUrl
      ? new RedisTokenStore(redisUrl, (error) => this.storeFailed(error))
      : undefined;
    this.store = redis ?? new MemoryTokenStore();
    live.onChange((next, previous) => {
      if (redis && next.redisUrl && next.redisUrl !== previous.redisUrl)
        redis.retarget(next.redisUrl);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.store.close();
  }

  /** The token a bearer is, if any. The store failing is a 503: never a guess. */
  async lookup(presented: string, nowMs = Date.now()): Promise<TokenLookup> {
    const record = await this.guarded(() => this.store.byDigest(sha256Hex(presented)));
    if (!record) return { kind: 'none' };
    if (isExpired(record, nowMs)) return { kind: 'expired', record };
    return {
      kind: 'valid',
      principal: {
        subject: `token:${record.id}`,
        role: record.role,
        teams: record.teams,
        via: 'token',
        tokenId: record.id,
        accountable: accountableFor(record),
      },
    };
  }

  async create(
    request: FastifyRequest,
    maker: Principal,
    body: CreateTokenDto,
  ): Promise<AccessTokenView & { token: string }> {
    if (!roleWithin(body.role, maker.role)) {
      this.audit(request, maker, 'token.create', undefined, 'denied', 403);
      throw new GatewayError({
        status: 403,
        message: `A token cannot hold more than its maker: your role '${maker.role}' cannot grant '${body.role}'.`,
        param: 'role',
        code: 'role_exceeds_yours',
      });
    }
    const teams = this.teamsFor(request, maker, body);
    const owner = maker.subject;
    const now = Date.now();
    // A token made with a token expires with it at the latest, and goes when it goes (remove).
    const parent = maker.tokenId === undefined ? undefined : await this.liveToken(maker.tokenId);
    const { id, token } = generateAccessToken();
    const record: AccessTokenRecord = {
      id,
      name: body.name,
      role: body.role,
      teams,
      owner,
      accountable: parent
        ? accountableFor(parent)
        : maker.via === 'session'
          ? owner
          : `token:${id}`,
      tokenSha256: sha256Hex(token),
      hint: tokenHint(token),
      createdAt: new Date(now).toISOString(),
      expiresAt: expiryOf(now, body.expiresInDays, parent?.expiresAt),
    };
    await this.guarded(() => this.store.save(record));
    if (maker.tokenId !== undefined && !(await this.liveToken(maker.tokenId))) {
      // The maker was deleted meanwhile: its child must not outlive it.
      await this.guarded(() => this.store.remove(id));
      this.audit(request, maker, 'token.create', undefined, 'denied', 401);
      throw notAuthenticated(false);
    }
    this.audit(request, maker, 'token.create', id, 'ok', 201, {
      owner,
      tokenRole: body.role,
      teams,
      expiresAt: record.expiresAt,
    });
    // The only time the token is shown: only its digest is kept.
    return { ...tokenView(record), token };
  }

  /**
   * The caller's tokens (those it made, and those they made, and so on); with `tokens.manage`,
   * everyone's (optionally one owner's).
   */
  async list(
    request: FastifyRequest,
    caller: Principal,
    ownerFilter: string | undefined,
  ): Promise<{ object: 'list'; data: Array<AccessTokenView & { expired: boolean }> }> {
    const manages = roleCan(caller.role, 'tokens.manage');
    const now = Date.now();
    const all = await this.guarded(() => this.store.all());
    const data = (
      manages
        ? all.filter((t) => ownerFilter === undefined || t.owner === ownerFilter)
        : descendantsOf(all, caller.subject)
    )
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((t) => ({ ...tokenView(t), expired: isExpired(t, now) }));
    this.audit(request, caller, 'token.list', ownerFilter, 'ok', 200);
    return { object: 'list', data };
  }

  /**
   * Deletes one of the caller's tokens (see list), or anyone's with `tokens.manage`, and with it
   * the tokens made with it; another's is a 404.
   */
  async remove(request: FastifyRequest, caller: Principal, id: string): Promise<AccessTokenView> {
    const manages = roleCan(caller.role, 'tokens.manage');
    const all = await this.guarded(() => this.store.all());
    const found = (manages ? all : descendantsOf(all, caller.subject)).find((t) => t.id === id);
    const removed = found ? await this.guarded(() => this.store.remove(found.id)) : undefined;
    if (!removed) {
      this.audit(request, caller, 'token.delete', id, 'not_found', 404);
      throw new GatewayError({
        status: 404,
        message: `No personal access token '${id.slice(0, 64)}' of yours.`,
        param: 'id',
        code: 'token_not_found',
      });
    }
    const made = await this.removeOwnedBy(`token:${removed.id}`);
    this.audit(request, caller, 'token.delete', id, 'ok', 200, {
      owner: removed.owner,
      ...(made.length > 0 && { alsoDeleted: made.map((t) => t.id) }),
    });
    return tokenView(removed);
  }

  /**
   * Removes every token a person owns, and the tokens those tokens made, and so on: for the
   * sign-in side when the identity provider removes or demotes someone, so their automation loses
   * access with them. Returns the tokens removed.
   */
  async removeOwnedBy(owner: string): Promise<AccessTokenRecord[]> {
    const doomed = descendantsOf(await this.guarded(() => this.store.all()), owner);
    const removed: AccessTokenRecord[] = [];
    for (const token of doomed)
      if (await this.guarded(() => this.store.remove(token.id))) removed.push(token);
    return removed;
  }

  /**
   * What a person's tokens hold beyond the person (the IdP re-check demoted them or took teams
   * away): each of their tokens whose role is above `now.role`, or which acts for a team outside
   * `now.teams` (unless the new role sees every team), is removed with the tokens it made, so a
   * token never holds more than its maker. Returns the tokens removed.
   */
  async restrictOwnedBy(
    owner: string,
    now: Pick<Principal, 'role' | 'teams'>,
  ): Promise<AccessTokenRecord[]> {
    const all = await this.guarded(() => this.store.all());
    const beyond = all.filter(
      (t) =>
        t.owner === owner &&
        (!roleWithin(t.role, now.role) ||
          (!seesAllTeams(now) &&
            !seesAllTeams(t) &&
            t.teams.some((team) => !now.teams.includes(team)))),
    );
    const removed: AccessTokenRecord[] = [];
    for (const token of beyond) {
      if (await this.guarded(() => this.store.remove(token.id))) removed.push(token);
      removed.push(...(await this.removeOwnedBy(`token:${token.id}`)));
    }
    return removed;
  }

  /**
   * Admin and auditor tokens see every team (no teams kept). A developer or viewer token acts for
   * the teams asked, which must be the maker's own unless the maker sees every team; none asked
   * means all of the maker's.
   */
  private teamsFor(request: FastifyRequest, maker: Principal, body: CreateTokenDto): string[] {
    if (body.role === 'admin' || body.role === 'auditor') return [];
    const asked = [...new Set(body.teams ?? (seesAllTeams(maker) ? [] : maker.teams))];
    if (seesAllTeams(maker)) return asked;
    const foreign = asked.find((t) => !maker.teams.includes(t));
    if (foreign === undefined) return asked;
    this.audit(request, maker, 'token.create', undefined, 'denied', 403);
    throw new GatewayError({
      status: 403,
      message: `A token cannot reach more than its maker: you are not a member of team '${foreign}'. Your teams: ${maker.teams.join(', ') || 'none'}.`,
      param: 'teams',
      code: 'role_exceeds_yours',
    });
  }

  /** The token with this id, unless it is gone or expired. */
  private async liveToken(id: string): Promise<AccessTokenRecord | undefined> {
    const all = await this.guarded(() => this.store.all());
    return all.find((t) => t.id === id && !isExpired(t, Date.now()));
  }

  private async guarded<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.storeFailed(error as Error);
      throw new GatewayError({
        status: 503,
        type: 'api_error',
        message:
          'The personal access token store (Redis) is unreachable; retry shortly. GATEWAY_ADMIN_KEY still works.',
        code: 'governance_unavailable',
        headers: { 'retry-after': '5' },
      });
    }
  }

  private storeFailed(error: Error): void {
    const now = Date.now();
    if (now - this.lastWarning < 10_000) return;
    this.lastWarning = now;
    this.logger.warn(`Personal access token store unavailable (${error.message})`);
  }

  private audit(
    request: FastifyRequest,
    caller: Principal,
    action: string,
    target: string | undefined,
    outcome: 'ok' | 'denied' | 'not_found',
    status: number,
    detail?: Record<string, unknown>,
  ): void {
    this.governance.audit.write({
      action,
      ...auditActor(caller),
      target,
      outcome,
      status,
      ...requestOrigin(request),
      ...(detail && { detail }),
    });
  }
}
