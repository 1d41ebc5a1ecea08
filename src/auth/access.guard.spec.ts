import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import type { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { AllConfig } from '../config/gateway-config';
import { sha256Hex } from '../config/load-governance-config';
import type { AuditEntry } from '../governance/audit-log';
import type { GovernanceService } from '../governance/governance.service';
import { AccessGuard } from './access.guard';
import type { Permission } from './permissions';
import type { Principal, SessionPrincipals } from './principal';
import { requestPrincipal } from './request-principal';
import type { AccessTokensService, TokenLookup } from './tokens/access-tokens.service';
import { REQUIRED_PERMISSIONS } from './required-permissions';

const ADMIN_KEY = 'admin-key-0123456789abcdef';

function setup(options: {
  adminKey?: string;
  sessions?: SessionPrincipals;
  tokens?: Record<string, TokenLookup>;
}) {
  const audit: AuditEntry[] = [];
  const config = {
    get: () => ({
      governance: {
        adminKeySha256: options.adminKey ? sha256Hex(options.adminKey) : undefined,
      },
    }),
  } as unknown as ConfigService<AllConfig, true>;
  const governance = { audit: { write: (e: AuditEntry) => audit.push(e) } };
  const guard = new AccessGuard(
    config,
    new Reflector(),
    governance as unknown as GovernanceService,
    {
      lookup: (presented: string) =>
        Promise.resolve(options.tokens?.[presented] ?? { kind: 'none' }),
    } as unknown as AccessTokensService,
    options.sessions,
  );
  return { guard, audit };
}

function call(permissions: Permission[], headers: Record<string, string> = {}) {
  const handler = () => undefined;
  Reflect.defineMetadata(REQUIRED_PERMISSIONS, permissions, handler);
  const request = { headers, method: 'GET', url: '/admin/keys?x=1', id: 'req-1' };
  const context = {
    getHandler: () => handler,
    getClass: () => class {},
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { context, request: request as unknown as FastifyRequest };
}

const viewer: Principal = { subject: 'u-1', role: 'viewer', teams: ['search'], via: 'session' };
const sessionOf = (principal?: Principal): SessionPrincipals => ({
  principalOf: () => Promise.resolve(principal),
});

describe('AccessGuard', () => {
  it('is off (403 admin_api_disabled) with no admin key and no sign-in', async () => {
    const { guard } = setup({});
    await expect(guard.canActivate(call(['keys.read']).context)).rejects.toMatchObject({
      status: 403,
      code: 'admin_api_disabled',
    });
  });

  it('admits the admin key as the break-glass admin and puts it on the request', async () => {
    const { guard } = setup({ adminKey: ADMIN_KEY });
    const { context, request } = call(['logs.delete'], { authorization: `Bearer ${ADMIN_KEY}` });
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(requestPrincipal(request)).toMatchObject({ role: 'admin', via: 'admin_key' });
  });

  it('refuses a wrong bearer with 401 invalid_admin_key and an audit line, without asking the session', async () => {
    let asked = false;
    const { guard, audit } = setup({
      adminKey: ADMIN_KEY,
      sessions: {
        principalOf: () => {
          asked = true;
          return Promise.resolve(viewer);
        },
      },
    });
    await expect(
      guard.canActivate(call(['usage.read'], { authorization: 'Bearer nope' }).context),
    ).rejects.toMatchObject({ status: 401, code: 'invalid_admin_key' });
    expect(asked).toBe(false);
    expect(audit).toEqual([
      expect.objectContaining({ action: 'admin.auth', outcome: 'denied', status: 401 }),
    ]);
  });

  it('takes a live personal access token after the admin key, and refuses an expired one (401)', async () => {
    const developer: Principal = {
      subject: 'token:pat-1',
      role: 'developer',
      teams: ['search'],
      via: 'token',
      tokenId: 'pat-1',
    };
    const { guard, audit } = setup({
      adminKey: ADMIN_KEY,
      tokens: {
        gpat_live: { kind: 'valid', principal: developer },
        gpat_old: {
          kind: 'expired',
          record: { id: 'pat-2' } as unknown as Extract<TokenLookup, { kind: 'expired' }>['record'],
        },
      },
    });
    const live = call(['keys.write'], { authorization: 'Bearer gpat_live' });
    await expect(guard.canActivate(live.context)).resolves.toBe(true);
    expect(requestPrincipal(live.request)).toBe(developer);
    await expect(
      guard.canActivate(call(['keys.read'], { authorization: 'Bearer gpat_old' }).context),
    ).rejects.toMatchObject({ status: 401, code: 'access_token_expired' });
    expect(audit.at(-1)).toMatchObject({ actor: 'token:pat-2', reason: 'token_expired' });
  });

  it('takes the session when no bearer is presented, and works without an admin key', async () => {
    const { guard } = setup({ sessions: sessionOf(viewer) });
    const { context, request } = call(['usage.read']);
    await expect(guard.canActivate(context)).resolves.toBe(true);
    expect(requestPrincipal(request)).toBe(viewer);
  });

  it('answers 401 with neither credential nor session', async () => {
    const { guard } = setup({ adminKey: ADMIN_KEY, sessions: sessionOf(undefined) });
    await expect(guard.canActivate(call(['usage.read']).context)).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining('/auth/login'),
    });
  });

  it('refuses a role without the permission: 403 permission_denied naming it, audited with subject and role', async () => {
    const { guard, audit } = setup({ sessions: sessionOf(viewer) });
    await expect(
      guard.canActivate(call(['usage.read', 'keys.write']).context),
    ).rejects.toMatchObject({
      status: 403,
      code: 'permission_denied',
      message: expect.stringContaining("'keys.write'"),
    });
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'access.denied',
        actor: 'u-1',
        role: 'viewer',
        via: 'session',
        permission: 'keys.write',
        outcome: 'denied',
        status: 403,
        path: '/admin/keys',
      }),
    ]);
  });

  it('passes on the CSRF refusal of the session side as it is', async () => {
    const csrf = Object.assign(new Error('csrf'), { status: 403, code: 'csrf_failed' });
    const { guard } = setup({ sessions: { principalOf: () => Promise.reject(csrf) } });
    await expect(guard.canActivate(call(['keys.write']).context)).rejects.toBe(csrf);
  });
});
