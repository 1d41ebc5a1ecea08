// A real OpenID Provider for the sign-in tests: node-oidc-provider (a certified OP), run as its
// own process because the package is ESM-only and jest runs CommonJS. Started by oidc-idp.ts.
//
// Environment: PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, USERS (JSON: id -> {email, groups}),
// KEY_ID (the signing key's kid; a restart with another one rotates the JWKS).
// Test controls (not part of OIDC): PUT /test/users/:id {email, groups}, DELETE /test/users/:id,
// PUT /test/token-mode {mode: "normal" | "forged" | "expired"}. The login page is a form asking
// for a user id (no password); posting it signs that user in and grants every requested scope.
import { createServer } from 'node:http';
import * as jose from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = new Map(Object.entries(JSON.parse(process.env.USERS ?? '{}')));
let tokenMode = 'normal';

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = {
  ...(await jose.exportJWK(privateKey)),
  kid: process.env.KEY_ID ?? 'k1',
  alg: 'RS256',
  use: 'sig',
};
const signingKey = await jose.importJWK(signingJwk, 'RS256');
// The forger's key: same kid, different key, so only the signature gives it away.
const forgerKey = (await jose.generateKeyPair('RS256')).privateKey;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingJwk] },
  cookies: { keys: ['test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email'], profile: ['name'], groups: ['groups'] },
  scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
  features: { devInteractions: { enabled: false } },
  pkce: { required: () => true },
  ttl: {
    AccessToken: 600,
    IdToken: 600,
    RefreshToken: 3600,
    Grant: 3600,
    Session: 3600,
    Interaction: 600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(_ctx, id) {
    const user = users.get(id);
    if (!user) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, email: user.email, name: id, groups: user.groups }),
    };
  },
});

// Replaces the ID token of token responses when a test asks: signed by another key, or expired.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || tokenMode === 'normal' || !ctx.body?.id_token) return;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  const payload =
    tokenMode === 'expired' ? { ...claims, iat: now - 7200, exp: now - 3600 } : claims;
  ctx.body = {
    ...ctx.body,
    id_token: await new jose.SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid })
      .sign(tokenMode === 'forged' ? forgerKey : signingKey),
  };
});

const callback = provider.callback();

async function body(req) {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(
      `<form method="post" action="/interaction/${details.uid}"><input name="login"><button>Sign in</button></form>`,
    );
    return;
  }
  const login = new URLSearchParams(await body(req)).get('login');
  if (!users.has(login)) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'unknown user',
    });
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: login }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

async function control(req, res) {
  const url = new URL(req.url, issuer);
  const user = /^\/test\/users\/([^/]+)$/.exec(url.pathname);
  if (user && req.method === 'PUT')
    users.set(decodeURIComponent(user[1]), JSON.parse(await body(req)));
  else if (user && req.method === 'DELETE') users.delete(decodeURIComponent(user[1]));
  else if (url.pathname === '/test/token-mode' && req.method === 'PUT')
    tokenMode = JSON.parse(await body(req)).mode;
  else {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(204).end();
}

createServer((req, res) => {
  const handle = req.url.startsWith('/interaction/')
    ? interaction
    : req.url.startsWith('/test/')
      ? control
      : null;
  if (!handle) return callback(req, res);
  handle(req, res).catch((error) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(error));
  });
}).listen(port, '127.0.0.1', () => console.log(`oidc-idp listening on ${issuer}`));
