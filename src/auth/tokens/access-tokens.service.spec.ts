import type { ConfigService } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import type { AllConfig } from '../../config/gateway-config';
import type { LiveConfig } from '../../config/live-config';
import type { AuditEntry } from '../../governance/audit-log';
import type { GovernanceService } from '../../governance/governance.service';
import type { Principal } from '../principal';
import { AccessTokensService } from './access-tokens.service';
import type { CreateTokenDto } from './create-token.dto';

const DAY_MS = 86_400_000;
const request = { method: 'POST', url: '/admin/tokens', id: 'req-1' } as unknown as FastifyRequest;
const dave: Principal = { subject: 'dave', role: 'developer', teams: ['search'], via: 'session' };

function setup() {
  const audit: AuditEntry[] = [];
  const service = new AccessTokensService(
    { get: () => ({ redisUrl: undefined }) } as unknown as ConfigService<AllConfig, true>,
    { audit: { write: (e: AuditEntry) => audit.push(e) } } as unknown as GovernanceService,
    { onChange: () => undefined } as unknown as LiveConfig,
  );
  /** Makes a token as `maker`, and answers it with the principal it is as a bearer. */
  const make = async (maker: Principal, body: Partial<CreateTokenDto> = {}) => {
    const made = await service.create(request, maker, {
      name: 'automation',
      role: 'developer',
      ...body,
    });
    const found = await service.lookup(made.token);
    if (found.kind !== 'valid') throw new Error(`token ${made.id} does not work`);
    return { ...made, principal: found.principal };
  };
  const ids = async (caller: Principal) =>
    (await service.list(request, caller, undefined)).data.map((t) => t.id);
  return { service, audit, make, ids };
}

describe('personal access tokens made with a token', () => {
  it('never outlive the token that made them', async () => {
    const { make } = setup();
    const parent = await make(dave, { expiresInDays: 1 });
    const child = await make(parent.principal, { expiresInDays: 365 });
    expect(child.expiresAt).toBe(parent.expiresAt);
    const shorter = await make(parent.principal, { expiresInDays: 365 });
    expect(Date.parse(shorter.expiresAt)).toBeLessThanOrEqual(Date.now() + DAY_MS);
    // A person's own tokens are not cut by anything but their lifetime.
    const long = await make(dave, { expiresInDays: 365 });
    expect(Date.parse(long.expiresAt)).toBeGreaterThan(Date.now() + 364 * DAY_MS);
  });

  it('are listed, and deletable, by the person they descend from', async () => {
    const { service, make, ids } = setup();
    const parent = await make(dave);
    const child = await make(parent.principal);
    const grandchild = await make(child.principal);
    expect(await ids(dave)).toEqual([parent.id, child.id, grandchild.id]);
    // A token sees what descends from it, not its maker's other tokens.
    expect(await ids(parent.principal)).toEqual([child.id, grandchild.id]);
    const removed = await service.remove(request, dave, grandchild.id);
    expect(removed.id).toBe(grandchild.id);
    expect((await service.lookup(grandchild.token)).kind).toBe('none');
    // Someone else's is still a 404.
    const erin: Principal = { ...dave, subject: 'erin' };
    await expect(service.remove(request, erin, child.id)).rejects.toMatchObject({
      status: 404,
      code: 'token_not_found',
    });
    await expect(service.remove(request, child.principal, parent.id)).rejects.toMatchObject({
      status: 404,
    });
  });

  it('go when the token that made them is deleted, down the whole line', async () => {
    const { service, audit, make, ids } = setup();
    const parent = await make(dave);
    const child = await make(parent.principal);
    const grandchild = await make(child.principal);
    const sibling = await make(dave);
    await service.remove(request, dave, parent.id);
    for (const gone of [parent, child, grandchild])
      expect((await service.lookup(gone.token)).kind).toBe('none');
    expect((await service.lookup(sibling.token)).kind).toBe('valid');
    expect(await ids(dave)).toEqual([sibling.id]);
    expect(audit.find((e) => e.action === 'token.delete' && e.outcome === 'ok')).toMatchObject({
      target: parent.id,
      detail: { owner: 'dave', alsoDeleted: [child.id, grandchild.id] },
    });
  });

  it('answer to the person whose line they are in; a line the admin key started, to its first token', async () => {
    const { make } = setup();
    const child = await make((await make(dave)).principal);
    expect(child.principal.accountable).toBe('dave');
    const adminKey: Principal = {
      subject: 'admin-key',
      role: 'admin',
      teams: [],
      via: 'admin_key',
    };
    const ci = await make(adminKey);
    const ciChild = await make(ci.principal);
    expect(ci.principal.accountable).toBe(`token:${ci.id}`);
    expect(ciChild.principal.accountable).toBe(`token:${ci.id}`);
    // Never shown: lists and the answer hold what they held before.
    expect(ciChild).not.toHaveProperty('accountable');
  });

  it('is not made when its maker is deleted while it is being made', async () => {
    const { service, make, ids } = setup();
    const parent = await make(dave);
    const deleting = service.remove(request, dave, parent.id);
    await expect(make(parent.principal)).rejects.toMatchObject({ status: 401 });
    await deleting;
    expect(await ids(dave)).toEqual([]);
  });
});
