import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_KEY, writeGatewayConfig } from './support/governance-fixtures';
import {
  adminCall,
  askWithRequestId,
  auditLines,
  eventually,
  makeToken,
  roleCases,
  ROLES,
  type Role,
  type RouteAccess,
} from './support/access';
import { readTail, type TailReader } from './support/event-stream';
import { waitForLogs } from './support/request-logs';
import { Stack, startStack } from './support/stack';

/**
 * Every admin route, what it needs, and which roles issue 20 lets through (written out here from
 * the words, not read from the code under test).
 */
const ROUTES: RouteAccess[] = [
  { method: 'GET', path: '/admin/keys', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'GET', path: '/admin/keys/search-key', allowed: ['admin', 'developer', 'auditor'] },
  {
    method: 'GET',
    path: '/admin/keys/search-key/usage',
    allowed: ['admin', 'developer', 'auditor'],
  },
  {
    method: 'POST',
    path: '/admin/keys',
    body: { name: 'made in the table', team: 'search' },
    allowed: ['admin', 'developer'],
  },
  { method: 'POST', path: '/admin/keys/search-key/rotate', allowed: ['admin', 'developer'] },
  { method: 'DELETE', path: '/admin/keys/doomed-key', allowed: ['admin', 'developer'] },
  { method: 'GET', path: '/admin/logs', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'GET', path: '/admin/logs/export', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'GET', path: '/admin/logs/no-such-id', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'DELETE', path: '/admin/logs?requestId=no-such-id', allowed: ['admin'] },
  { method: 'GET', path: '/admin/stats', allowed: ['admin', 'developer', 'viewer', 'auditor'] },
  { method: 'GET', path: '/admin/alerts', allowed: ['admin', 'developer', 'auditor'] },
  { method: 'POST', path: '/admin/alerts/test?channel=none', allowed: ['admin'] },
  { method: 'GET', path: '/admin/tokens', allowed: ['admin', 'developer', 'viewer', 'auditor'] },
  {
    method: 'POST',
    path: '/admin/tokens',
    body: { name: 'made in the table', role: 'viewer', teams: ['search'] },
    allowed: ['admin', 'developer', 'viewer', 'auditor'],
  },
  {
    method: 'DELETE',
    path: '/admin/tokens/pat-none',
    allowed: ['admin', 'developer', 'viewer', 'auditor'],
  },
  { method: 'GET', path: '/admin/teams', allowed: ['admin', 'developer', 'viewer', 'auditor'] },
  {
    method: 'GET',
    path: '/admin/teams/search',
    allowed: ['admin', 'developer', 'viewer', 'auditor'],
  },
  {
    method: 'GET',
    path: '/admin/teams/search/usage',
    allowed: ['admin', 'developer', 'viewer', 'auditor'],
  },
  { method: 'POST', path: '/admin/teams', body: { id: 'table-team' }, allowed: ['admin'] },
  { method: 'PATCH', path: '/admin/teams/made-team', body: { name: 'Made' }, allowed: ['admin'] },
  { method: 'DELETE', path: '/admin/teams/doomed-team', allowed: ['admin'] },
  { method: 'GET', path: '/admin/config', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/admin/guardrails', allowed: ['admin', 'developer', 'auditor'] },
  {
    method: 'GET',
    path: '/admin/alerts/deliveries',
    allowed: ['admin', 'developer', 'auditor'],
  },
  { method: 'GET', path: '/admin/groq-keys', allowed: ['admin', 'auditor'] },
  { method: 'GET', path: '/admin/me', allowed: ['admin', 'developer', 'viewer', 'auditor'] },
  { method: 'GET', path: '/admin/audit', allowed: ['admin', 'auditor'] },
];

const CONFIG = `
teams:
  - { id: search, name: Search, budget: { usd: 500, period: monthly } }
  - { id: ads, name: Ads }
`;

describe('access: roles on every admin route, personal access tokens, team scope', () => {
  let stack: Stack;
  let url: string;
  let auditPath: string;
  const tokens = {} as Record<Role, { id: string; token: string }>;

  beforeAll(async () => {
    auditPath = join(mkdtempSync(join(tmpdir(), 'access-audit-')), 'audit.jsonl');
    stack = await startStack({
      GATEWAY_ADMIN_KEY: ADMIN_KEY,
      AUDIT_LOG: auditPath,
      GATEWAY_CONFIG: writeGatewayConfig(CONFIG).path,
    });
    url = stack.gateway.url;
    // The log query API answers 503 for a moment after start-up, while its store opens; the role
    // table below asks it for an allowed answer.
    await waitForLogs(url, 0);
    for (const id of ['made-team', 'doomed-team']) {
      expect((await adminCall(url, 'POST', '/admin/teams', ADMIN_KEY, { id })).status).toBe(201);
    }
    for (const role of ROLES) {
      tokens[role] = await makeToken(url, ADMIN_KEY, {
        name: `${role} automation`,
        role,
        ...(role === 'developer' || role === 'viewer' ? { teams: ['search'] } : {}),
      });
    }
    for (const [id, team] of [
      ['search-key', 'search'],
      ['doomed-key', 'search'],
      ['ads-key', 'ads'],
    ]) {
      const made = await adminCall(url, 'POST', '/admin/keys', ADMIN_KEY, { id, team });
      expect(made.status).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const cases = roleCases(ROUTES);

  it.each(cases)('%s as %s: %s', async (_name, role, expected, route) => {
    const answer = await adminCall(url, route.method, route.path, tokens[role].token, route.body);
    if (expected === 'allowed') {
      expect([401, 403]).not.toContain(answer.status);
      expect(answer.status).toBeLessThan(500);
    } else {
      expect(answer.status).toBe(403);
      expect(answer.json.error).toMatchObject({
        type: 'permission_error',
        code: 'permission_denied',
      });
      expect(answer.json.error?.message).toContain(`Role '${role}' lacks the permission`);
    }
  });

  it('answers 401 without a credential and with a wrong one, and keeps the admin key as admin', async () => {
    const none = await adminCall(url, 'GET', '/admin/tokens', null);
    expect(none.status).toBe(401);
    expect(none.json.error?.code).toBe('invalid_admin_key');
    const wrong = await adminCall(url, 'GET', '/admin/keys', 'gpat_not-a-token');
    expect(wrong.status).toBe(401);
    const admin = await adminCall(url, 'DELETE', '/admin/logs?requestId=nothing', ADMIN_KEY);
    expect(admin.status).toBe(200);
  });

  describe('personal access tokens', () => {
    it('shows the token once; lists carry no token and no digest; the token works at once', async () => {
      const made = await adminCall(url, 'POST', '/admin/tokens', tokens.developer.token, {
        name: 'ci deploys',
        role: 'developer',
        expiresInDays: 7,
      });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({
        id: expect.stringMatching(/^pat-[0-9a-f]{12}$/),
        name: 'ci deploys',
        role: 'developer',
        teams: ['search'],
        token: expect.stringMatching(/^gpat_[\w-]{43}$/),
      });
      const days = (Date.parse(made.json.expiresAt as string) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(6.99);
      expect(days).toBeLessThanOrEqual(7);
      const listed = await adminCall(url, 'GET', '/admin/tokens', tokens.developer.token);
      expect(listed.text).not.toContain(made.json.token as string);
      expect(listed.text).not.toContain('Sha256');
      const mine = (listed.json.data as Array<Record<string, unknown>>).find(
        (t) => t.id === made.json.id,
      );
      expect(mine).toMatchObject({ name: 'ci deploys', expired: false });
      const used = await adminCall(url, 'GET', '/admin/keys', made.json.token as string);
      expect(used.status).toBe(200);
    });

    it('never holds more than its maker: role and teams', async () => {
      const asAdmin = await adminCall(url, 'POST', '/admin/tokens', tokens.developer.token, {
        name: 'escalate',
        role: 'admin',
      });
      expect(asAdmin.status).toBe(403);
      expect(asAdmin.json.error).toMatchObject({ code: 'role_exceeds_yours', param: 'role' });
      const asAuditor = await adminCall(url, 'POST', '/admin/tokens', tokens.developer.token, {
        name: 'sideways',
        role: 'auditor',
      });
      expect(asAuditor.status).toBe(403);
      const otherTeam = await adminCall(url, 'POST', '/admin/tokens', tokens.developer.token, {
        name: 'other team',
        role: 'viewer',
        teams: ['search', 'ads'],
      });
      expect(otherTeam.status).toBe(403);
      expect(otherTeam.json.error).toMatchObject({ code: 'role_exceeds_yours', param: 'teams' });
      const viewerUp = await adminCall(url, 'POST', '/admin/tokens', tokens.viewer.token, {
        name: 'up',
        role: 'developer',
      });
      expect(viewerUp.status).toBe(403);
      const auditorUp = await adminCall(url, 'POST', '/admin/tokens', tokens.auditor.token, {
        name: 'up',
        role: 'developer',
        teams: ['search'],
      });
      expect(auditorUp.status).toBe(403);
      const down = await adminCall(url, 'POST', '/admin/tokens', tokens.developer.token, {
        name: 'dashboards',
        role: 'viewer',
      });
      expect(down.status).toBe(201);
      expect(down.json).toMatchObject({ role: 'viewer', teams: ['search'] });
      // The viewer token made by the developer's token reads usage, and nothing of keys.
      expect(
        (await adminCall(url, 'GET', '/admin/stats', down.json.token as string)).status,
      ).not.toBe(403);
      expect((await adminCall(url, 'GET', '/admin/keys', down.json.token as string)).status).toBe(
        403,
      );
    });

    it("lists and deletes one's own; an admin lists and revokes anyone's", async () => {
      const made = await makeToken(url, tokens.viewer.token, {
        name: 'viewer script',
        role: 'viewer',
      });
      const ownList = await adminCall(url, 'GET', '/admin/tokens', tokens.viewer.token);
      const ownIds = (ownList.json.data as Array<{ id: string; owner: string }>).map((t) => t.id);
      expect(ownIds).toContain(made.id);
      expect(ownIds).not.toContain(tokens.developer.id);
      // Someone else's token is not found for a non-admin...
      const foreign = await adminCall(
        url,
        'DELETE',
        `/admin/tokens/${made.id}`,
        tokens.developer.token,
      );
      expect(foreign.status).toBe(404);
      expect(foreign.json.error?.code).toBe('token_not_found');
      // ...while the admin sees every token (by owner if asked) and revokes any.
      const all = await adminCall(url, 'GET', '/admin/tokens', ADMIN_KEY);
      const allIds = (all.json.data as Array<{ id: string }>).map((t) => t.id);
      expect(allIds).toEqual(
        expect.arrayContaining([made.id, tokens.developer.id, tokens.viewer.id]),
      );
      const byOwner = await adminCall(
        url,
        'GET',
        `/admin/tokens?owner=token:${tokens.viewer.id}`,
        ADMIN_KEY,
      );
      expect(byOwner.status).toBe(200);
      expect((await adminCall(url, 'GET', '/admin/stats', made.token)).status).toBe(200);
      const revoked = await adminCall(url, 'DELETE', `/admin/tokens/${made.id}`, ADMIN_KEY);
      expect(revoked.status).toBe(200);
      expect(revoked.json).toMatchObject({ id: made.id, name: 'viewer script' });
      const after = await adminCall(url, 'GET', '/admin/stats', made.token);
      expect(after.status).toBe(401);
      // And one deletes one's own.
      const own = await makeToken(url, tokens.auditor.token, {
        name: 'short',
        role: 'viewer',
        teams: ['ads'],
      });
      expect(
        (await adminCall(url, 'DELETE', `/admin/tokens/${own.id}`, tokens.auditor.token)).status,
      ).toBe(200);
      expect((await adminCall(url, 'GET', '/admin/stats', own.token)).status).toBe(401);
    });

    it('never lets a token made with a token outlive it or escape the person it descends from', async () => {
      // The developer token stands for a person here: it makes a one-day token, which makes more.
      const person = tokens.developer.token;
      const parent = await adminCall(url, 'POST', '/admin/tokens', person, {
        name: 'parent',
        role: 'developer',
        expiresInDays: 1,
      });
      const child = await adminCall(url, 'POST', '/admin/tokens', parent.json.token as string, {
        name: 'child',
        role: 'developer',
        expiresInDays: 365,
      });
      expect(child.status).toBe(201);
      expect(child.json.expiresAt).toBe(parent.json.expiresAt);
      const grandchild = await makeToken(url, child.json.token as string, {
        name: 'grandchild',
        role: 'viewer',
      });
      const listed = async () =>
        (
          (await adminCall(url, 'GET', '/admin/tokens', person)).json.data as Array<{ id: string }>
        ).map((t) => t.id);
      expect(await listed()).toEqual(
        expect.arrayContaining([parent.json.id, child.json.id, grandchild.id]),
      );
      // The person deletes a descendant, then the parent: everything made with it goes too.
      const extra = await makeToken(url, parent.json.token as string, {
        name: 'x',
        role: 'viewer',
      });
      expect((await adminCall(url, 'DELETE', `/admin/tokens/${extra.id}`, person)).status).toBe(
        200,
      );
      expect((await adminCall(url, 'GET', '/admin/me', extra.token)).status).toBe(401);
      const deleted = await adminCall(
        url,
        'DELETE',
        `/admin/tokens/${String(parent.json.id)}`,
        person,
      );
      expect(deleted.status).toBe(200);
      for (const bearer of [
        parent.json.token as string,
        child.json.token as string,
        grandchild.token,
      ])
        expect((await adminCall(url, 'GET', '/admin/me', bearer)).status).toBe(401);
      const after = await listed();
      for (const id of [parent.json.id, child.json.id, grandchild.id])
        expect(after).not.toContain(id);
    });

    it('refuses bad requests with 400 naming the field', async () => {
      const cases: Array<[unknown, string]> = [
        [{ role: 'viewer' }, 'name'],
        [{ name: 'x', role: 'root' }, 'role'],
        [{ name: 'x', role: 'viewer', expiresInDays: 0 }, 'expiresInDays'],
        [{ name: 'x', role: 'viewer', expiresInDays: 366 }, 'expiresInDays'],
        [{ name: 'x', role: 'viewer', teams: 'search' }, 'teams'],
      ];
      for (const [body, param] of cases) {
        const answer = await adminCall(url, 'POST', '/admin/tokens', ADMIN_KEY, body);
        expect(answer.status).toBe(400);
        expect(answer.json.error?.param).toBe(param);
      }
    });
  });

  describe('teams', () => {
    it('makes, reads, changes and deletes teams; config teams and teams with keys stay', async () => {
      const made = await adminCall(url, 'POST', '/admin/teams', ADMIN_KEY, {
        id: 'infra',
        name: 'Infra',
        budget: { usd: 12.5 },
      });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({
        id: 'infra',
        name: 'Infra',
        budget: { usd: 12.5, period: 'monthly' },
        source: 'admin',
        keys: 0,
      });
      const again = await adminCall(url, 'POST', '/admin/teams', ADMIN_KEY, { id: 'infra' });
      expect(again.status).toBe(409);
      expect(again.json.error).toMatchObject({ code: 'team_exists', param: 'id' });
      const changed = await adminCall(url, 'PATCH', '/admin/teams/infra', ADMIN_KEY, {
        budget: { usd: 3, period: 'daily' },
      });
      expect(changed.json).toMatchObject({ name: 'Infra', budget: { usd: 3, period: 'daily' } });
      const unbudgeted = await adminCall(url, 'PATCH', '/admin/teams/infra', ADMIN_KEY, {
        budget: null,
      });
      expect(unbudgeted.status).toBe(200);
      expect(unbudgeted.json.budget).toBeUndefined();
      const key = await adminCall(url, 'POST', '/admin/keys', ADMIN_KEY, {
        id: 'infra-key',
        team: 'infra',
      });
      expect(key.json.team).toBe('infra');
      const busy = await adminCall(url, 'DELETE', '/admin/teams/infra', ADMIN_KEY);
      expect(busy.status).toBe(409);
      expect(busy.json.error?.code).toBe('team_not_changeable');
      await adminCall(url, 'DELETE', '/admin/keys/infra-key', ADMIN_KEY);
      const gone = await adminCall(url, 'DELETE', '/admin/teams/infra', ADMIN_KEY);
      expect(gone.status).toBe(200);
      expect((await adminCall(url, 'GET', '/admin/teams/infra', ADMIN_KEY)).status).toBe(404);
      const configTeam = await adminCall(url, 'PATCH', '/admin/teams/search', ADMIN_KEY, {
        name: 'x',
      });
      expect(configTeam.status).toBe(409);
      const unknownTeam = await adminCall(url, 'POST', '/admin/keys', ADMIN_KEY, { team: 'nope' });
      expect(unknownTeam.status).toBe(400);
      expect(unknownTeam.json.error).toMatchObject({ code: 'team_not_found', param: 'team' });
      const bad = await adminCall(url, 'POST', '/admin/teams', ADMIN_KEY, {
        id: 'a b',
        budget: { usd: -1 },
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.param).toBe('id');
    });

    it('shows a viewer its own teams only, with their usage', async () => {
      const list = await adminCall(url, 'GET', '/admin/teams', tokens.viewer.token);
      expect((list.json.data as Array<{ id: string }>).map((t) => t.id)).toEqual(['search']);
      expect((await adminCall(url, 'GET', '/admin/teams/ads', tokens.viewer.token)).status).toBe(
        404,
      );
      const usage = await adminCall(url, 'GET', '/admin/teams/search/usage', tokens.viewer.token);
      expect(usage.json).toMatchObject({
        id: 'search',
        spentUsd: 0,
        budget: { usd: 500, period: 'monthly', remainingUsd: 500 },
      });
      const all = await adminCall(url, 'GET', '/admin/teams', tokens.auditor.token);
      expect((all.json.data as Array<{ id: string }>).map((t) => t.id)).toEqual(
        expect.arrayContaining(['ads', 'search', 'made-team']),
      );
    });
  });

  describe('team scope', () => {
    it("shows a developer its teams' keys only; another team's key is a 404", async () => {
      const dev = tokens.developer.token;
      const list = await adminCall(url, 'GET', '/admin/keys', dev);
      const ids = (list.json.data as Array<{ id: string; team?: string }>).map((k) => k.id);
      expect(ids).toContain('search-key');
      expect(ids).not.toContain('ads-key');
      for (const [method, path] of [
        ['GET', '/admin/keys/ads-key'],
        ['GET', '/admin/keys/ads-key/usage'],
        ['POST', '/admin/keys/ads-key/rotate'],
        ['DELETE', '/admin/keys/ads-key'],
      ]) {
        const answer = await adminCall(url, method, path, dev);
        expect(answer.status).toBe(404);
        expect(answer.json.error?.code).toBe('key_not_found');
      }
      // The ads key is untouched, and the admin and the auditor see it.
      const adminView = await adminCall(url, 'GET', '/admin/keys/ads-key', ADMIN_KEY);
      expect(adminView.json).toMatchObject({ id: 'ads-key', team: 'ads', status: 'active' });
      const auditorList = await adminCall(url, 'GET', '/admin/keys', tokens.auditor.token);
      expect((auditorList.json.data as Array<{ id: string }>).map((k) => k.id)).toContain(
        'ads-key',
      );
    });

    it("puts a developer's new key in its team, and refuses another team", async () => {
      const dev = tokens.developer.token;
      const made = await adminCall(url, 'POST', '/admin/keys', dev, { name: 'no team named' });
      expect(made.status).toBe(201);
      expect(made.json.team).toBe('search');
      const foreign = await adminCall(url, 'POST', '/admin/keys', dev, { team: 'ads' });
      expect(foreign.status).toBe(400);
      expect(foreign.json.error).toMatchObject({ code: 'team_not_found', param: 'team' });
    });

    it("keeps a developer's request-log record visible when another team's key reuses its request id", async () => {
      const keyOf = async (id: string, team: string) =>
        (await adminCall(url, 'POST', '/admin/keys', ADMIN_KEY, { id, team })).json.key as string;
      const [searchCi, adsCi] = [await keyOf('search-ci', 'search'), await keyOf('ads-ci', 'ads')];
      const dev = tokens.developer.token;
      const requestId = 'access-e2e-reused-id';
      const record = (bearer: string) => adminCall(url, 'GET', `/admin/logs/${requestId}`, bearer);
      await askWithRequestId(url, searchCi, 'mine', requestId);
      await eventually(async () => (await record(dev)).status === 200 || undefined, 10_000);
      await askWithRequestId(url, adsCi, 'theirs', requestId);
      // The admin sees the newest, the ads call; the developer still its own.
      await eventually(
        async () => (await record(ADMIN_KEY)).json.virtual_key_id === 'ads-ci' || undefined,
        10_000,
      );
      const own = await record(dev);
      expect(own.status).toBe(200);
      expect(own.json).toMatchObject({ virtual_key_id: 'search-ci', team_id: 'search' });
    });

    it("does not tell a developer whether another team's key id exists", async () => {
      const dev = tokens.developer.token;
      const taken = await adminCall(url, 'POST', '/admin/keys', dev, {
        id: 'ads-key',
        team: 'ads',
      });
      const fresh = await adminCall(url, 'POST', '/admin/keys', dev, {
        id: 'no-such',
        team: 'ads',
      });
      expect(taken.status).toBe(400);
      expect(taken.json.error).toEqual(fresh.json.error);
      expect(taken.json.error).toMatchObject({ code: 'team_not_found', param: 'team' });
    });
  });

  it('caps the live tails one caller holds (LOGS_TAIL_MAX_PER_CALLER, 5), its tokens counted as its own', async () => {
    const dev = tokens.developer.token;
    const opened: TailReader[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        opened.push(await readTail(url, '/admin/logs/tail', dev));
        expect(opened.at(-1)!.status).toBe(200);
      }
      const refused = await adminCall(url, 'GET', '/admin/logs/tail', dev);
      expect(refused.status).toBe(429);
      expect(refused.json.error).toMatchObject({ code: 'too_many_tails' });
      expect(refused.json.error?.message).toContain('LOGS_TAIL_MAX_PER_CALLER');
      // A token the developer's token made is the same caller; the admin is another.
      const made = await makeToken(url, dev, { name: 'tail', role: 'developer' });
      expect((await adminCall(url, 'GET', '/admin/logs/tail', made.token)).status).toBe(429);
      opened.push(await readTail(url, '/admin/logs/tail', ADMIN_KEY));
      expect(opened.at(-1)!.status).toBe(200);
      // A tail that ends gives its slot back.
      opened.shift()!.close();
      await eventually(async () => {
        const reader = await readTail(url, '/admin/logs/tail', dev);
        if (reader.status === 200) return opened.push(reader);
        return undefined;
      });
    } finally {
      for (const reader of opened) reader.close();
    }
  });

  it('writes audit lines for denials, token creation and deletion, with subject and role, and no token', async () => {
    await adminCall(url, 'GET', '/admin/keys', tokens.viewer.token);
    const made = await makeToken(url, tokens.developer.token, { name: 'audited', role: 'viewer' });
    await adminCall(url, 'DELETE', `/admin/tokens/${made.id}`, tokens.developer.token);
    const denial = await eventually(() =>
      auditLines(auditPath).find(
        (l) => l.action === 'access.denied' && l.actor === `token:${tokens.viewer.id}`,
      ),
    );
    expect(denial).toMatchObject({
      role: 'viewer',
      via: 'token',
      permission: 'keys.read',
      outcome: 'denied',
      status: 403,
      path: '/admin/keys',
    });
    const created = await eventually(() =>
      auditLines(auditPath).find((l) => l.action === 'token.create' && l.target === made.id),
    );
    expect(created).toMatchObject({
      actor: `token:${tokens.developer.id}`,
      role: 'developer',
      outcome: 'ok',
      detail: { owner: `token:${tokens.developer.id}`, tokenRole: 'viewer', teams: ['search'] },
    });
    const deleted = await eventually(() =>
      auditLines(auditPath).find((l) => l.action === 'token.delete' && l.target === made.id),
    );
    expect(deleted).toMatchObject({ outcome: 'ok', role: 'developer' });
    const everything = `${JSON.stringify(auditLines(auditPath))}${stack.gateway.output()}`;
    for (const role of ROLES) expect(everything).not.toContain(tokens[role].token);
    expect(everything).not.toContain(made.token);
  });

  it('lets the auditor read the audit log at GET /admin/audit: newest first, filtered, paged, itself audited', async () => {
    // Three denials of the viewer, a known actor and action, then the auditor reads.
    for (let i = 0; i < 3; i++) await adminCall(url, 'GET', '/admin/keys', tokens.viewer.token);
    const viewer = `token:${tokens.viewer.id}`;
    const auditor = tokens.auditor.token;
    const first = await adminCall(
      url,
      'GET',
      `/admin/audit?actor=${encodeURIComponent(viewer)}&action=access.denied&limit=2`,
      auditor,
    );
    expect(first.status).toBe(200);
    const page1 = first.json.data as Array<Record<string, unknown>>;
    expect(page1).toHaveLength(2);
    for (const line of page1)
      expect(line).toMatchObject({ action: 'access.denied', actor: viewer, role: 'viewer' });
    expect(Date.parse(String(page1[0].time))).toBeGreaterThanOrEqual(
      Date.parse(String(page1[1].time)),
    );
    expect(typeof first.json.next_cursor).toBe('string');
    const second = await adminCall(
      url,
      'GET',
      `/admin/audit?actor=${encodeURIComponent(viewer)}&action=access.denied&limit=2&cursor=${String(first.json.next_cursor)}`,
      auditor,
    );
    const page2 = second.json.data as Array<Record<string, unknown>>;
    expect(page2.length).toBeGreaterThanOrEqual(1);
    // No line twice across pages.
    const ids = [...page1, ...page2].map((l) => `${String(l.requestId)}`);
    expect(new Set(ids).size).toBe(ids.length);
    // A time window that ends before everything: nothing.
    const none = await adminCall(url, 'GET', '/admin/audit?to=2000-01-01T00:00:00Z', auditor);
    expect(none.json).toEqual({ data: [], next_cursor: null });
    // Bad parameters are 400s that name them.
    for (const [query, param] of [
      ['limit=0', 'limit'],
      ['from=yesterday', 'from'],
      ['cursor=bm9wZQ', 'cursor'],
    ]) {
      const bad = await adminCall(url, 'GET', `/admin/audit?${query}`, auditor);
      expect(bad.status).toBe(400);
      expect(bad.json.error?.param).toBe(param);
    }
    // The reads themselves are audited, and no token is in what it shows.
    const reads = await adminCall(url, 'GET', '/admin/audit?action=audit.read', ADMIN_KEY);
    expect(
      (reads.json.data as Array<Record<string, unknown>>).some(
        (l) => l.actor === `token:${tokens.auditor.id}` && l.role === 'auditor',
      ),
    ).toBe(true);
    const all = await adminCall(url, 'GET', '/admin/audit?limit=1000', ADMIN_KEY);
    for (const role of ROLES) expect(all.text).not.toContain(tokens[role].token);
  });
});
