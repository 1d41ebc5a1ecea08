import { parse } from 'yaml';
import { ConfigError } from '../config/gateway-config';
import { loadAuthConfig } from './load-auth-config';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
const files: Record<string, string> = {
  '/run/secrets/oidc-secret': 's3cret\n',
  '/run/secrets/idp.pem': CERT,
};
const readFile = (path: string) => {
  if (files[path] === undefined) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
  return files[path];
};

/** The issue's own example. */
const EXAMPLE = `
auth:
  publicUrl: https://gateway.example.com
  sessions: { ttlSeconds: 43200, cookieName: gw_session }
  oidc:
    issuer: https://login.example.com/realms/main
    clientId: groq-gateway
    clientSecretFile: /run/secrets/oidc-secret
    scopes: [openid, email, profile, groups]
    rolesClaim: groups
  saml:
    entryPoint: https://idp.example.com/sso/saml
    issuer: groq-gateway
    idpCertFile: /run/secrets/idp.pem
    rolesAttribute: memberOf
  roleMappings:
    - { match: platform-admins, role: admin }
    - { match: search-devs, role: developer, teams: [search] }
    - { match: finance, role: viewer }
`;

const OIDC_ONLY = EXAMPLE.replace(/ {2}saml:\n(?: {4}.*\n)+/, '');

function load(yaml: string, env: Record<string, string> = {}) {
  return loadAuthConfig(parse(yaml) as Record<string, unknown>, env, readFile);
}

function error(yaml: string, env: Record<string, string> = {}): string {
  try {
    load(yaml, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadAuthConfig', () => {
  it('is off without an auth section', () => {
    expect(load('logLevel: info')).toBeUndefined();
  });

  it("reads the issue's example (SAML), the certificate from idpCertFile, a 5 s clock skew", () => {
    expect(load(EXAMPLE)!.saml).toEqual({
      entryPoint: 'https://idp.example.com/sso/saml',
      issuer: 'groq-gateway',
      idpCerts: [CERT],
      rolesAttribute: 'memberOf',
      clockSkewSeconds: 5,
    });
  });

  it.each([
    [
      'no IdP certificate',
      EXAMPLE.replace('    idpCertFile: /run/secrets/idp.pem\n', ''),
      /saml\.idpCertFile: is required .*signed assertions are required/,
    ],
    [
      'an unreadable certificate file',
      EXAMPLE.replace('/run/secrets/idp.pem', '/nope.pem'),
      /saml\.idpCertFile: cannot read \/nope\.pem/,
    ],
    [
      'a file without a certificate',
      EXAMPLE.replace('/run/secrets/idp.pem', '/run/secrets/oidc-secret'),
      /saml\.idpCertFile: must hold a PEM certificate/,
    ],
    [
      'a clock skew over a minute',
      EXAMPLE.replace(
        'rolesAttribute: memberOf',
        'rolesAttribute: memberOf\n    clockSkewSeconds: 600',
      ),
      /saml\.clockSkewSeconds/,
    ],
    [
      'an unknown SAML setting',
      EXAMPLE.replace('rolesAttribute: memberOf', 'rolesAttribute: memberOf\n    cert: x'),
      /saml: unknown setting cert/,
    ],
    [
      'no entry point',
      EXAMPLE.replace('    entryPoint: https://idp.example.com/sso/saml\n', ''),
      /saml\.entryPoint: is required/,
    ],
  ])('refuses a SAML section with %s', (_name, yaml, message) => {
    expect(error(yaml)).toMatch(message);
  });

  it("reads the issue's example (OIDC), with defaults", () => {
    const config = load(OIDC_ONLY)!;
    expect(config).toMatchObject({
      publicUrl: 'https://gateway.example.com',
      secureCookies: true,
      sessions: {
        ttlSeconds: 43200,
        idleSeconds: 3600,
        cookieName: 'gw_session',
        recheckSeconds: 900,
      },
      oidc: {
        issuer: 'https://login.example.com/realms/main',
        clientId: 'groq-gateway',
        clientSecret: 's3cret',
        scopes: ['openid', 'email', 'profile', 'groups'],
        rolesClaim: 'groups',
      },
    });
    expect(config.roleMappings[1]).toEqual({
      match: 'search-devs',
      role: 'developer',
      teams: ['search'],
    });
  });

  it('drops Secure cookies only for http on a loopback host', () => {
    const yaml = OIDC_ONLY.replace('https://gateway.example.com', 'http://127.0.0.1:8080');
    expect(load(yaml)!.secureCookies).toBe(false);
    expect(
      error(OIDC_ONLY.replace('https://gateway.example.com', 'http://gateway.example.com')),
    ).toMatch(/^GATEWAY_CONFIG auth\.publicUrl: must be https:\/\//);
  });

  it('takes the client secret from the variable clientSecretEnv names', () => {
    const yaml = OIDC_ONLY.replace(
      'clientSecretFile: /run/secrets/oidc-secret',
      'clientSecretEnv: OIDC_SECRET',
    );
    expect(load(yaml, { OIDC_SECRET: 'from-env' })!.oidc!.clientSecret).toBe('from-env');
    expect(error(yaml)).toMatch(/clientSecretEnv: names OIDC_SECRET, which is not set/);
  });

  it.each([
    [
      'no provider',
      'auth:\n  publicUrl: https://g.example\n  roleMappings: [{ match: a, role: admin }]',
      /configure auth\.oidc, auth\.saml or both/,
    ],
    [
      'an unknown role',
      OIDC_ONLY.replace('role: viewer', 'role: owner'),
      /roleMappings\[2\]\.role: must be one of admin, developer, viewer, auditor/,
    ],
    [
      'no role mappings',
      OIDC_ONLY.replace(/ {2}roleMappings:[\s\S]*$/, ''),
      /roleMappings: is required/,
    ],
    [
      'a missing secret file',
      OIDC_ONLY.replace('/run/secrets/oidc-secret', '/nope'),
      /clientSecretFile: cannot read \/nope \(ENOENT\)/,
    ],
    [
      'a certificate that is not PEM',
      EXAMPLE.replace('idpCertFile: /run/secrets/idp.pem', 'idpCert: hello'),
      /idpCert: must hold a PEM certificate/,
    ],
    [
      'scopes without openid',
      OIDC_ONLY.replace('[openid, email, profile, groups]', '[email]'),
      /scopes: must include 'openid'/,
    ],
    [
      'an http issuer off loopback',
      OIDC_ONLY.replace('https://login.example.com', 'http://login.example.com'),
      /oidc\.issuer: must be https/,
    ],
    [
      'a bad cookie name',
      OIDC_ONLY.replace('cookieName: gw_session', 'cookieName: "a b"'),
      /cookieName: must be 1 to 64/,
    ],
    [
      'a tiny ttl',
      OIDC_ONLY.replace('ttlSeconds: 43200', 'ttlSeconds: 1'),
      /ttlSeconds: must be a whole number from 10/,
    ],
  ])('refuses %s, naming the setting', (_name, yaml, message) => {
    expect(error(yaml)).toMatch(message);
  });
});
