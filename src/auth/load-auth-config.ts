import { integer, objectAt, readSecretFile, type ReadFile } from '../config/config-readers';
import { ConfigError } from '../config/gateway-config';
import type {
  AuthConfig,
  OidcConfig,
  RoleMapping,
  SamlConfig,
  SessionsConfig,
} from './auth-config';
import { ROLES, type Role } from './principal';

type Env = Record<string, string | undefined>;
type Yaml = Record<string, unknown>;

const WHERE = 'GATEWAY_CONFIG auth';
const COOKIE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `auth:` from GATEWAY_CONFIG, or undefined when it is absent (sign-in off). */
export function loadAuthConfig(yaml: Yaml, env: Env, readFile: ReadFile): AuthConfig | undefined {
  if (yaml.auth === undefined || yaml.auth === null) return undefined;
  const auth = objectAt(yaml, 'auth', WHERE);
  const publicUrl = parsePublicUrl(auth.publicUrl);
  const oidc =
    auth.oidc === undefined || auth.oidc === null
      ? undefined
      : loadOidc(objectAt(auth, 'oidc', `${WHERE}.oidc`), env, readFile);
  const saml =
    auth.saml === undefined || auth.saml === null
      ? undefined
      : loadSaml(objectAt(auth, 'saml', `${WHERE}.saml`), readFile);
  if (!oidc && !saml)
    throw new ConfigError(WHERE, 'configure auth.oidc, auth.saml or both (a way to sign in)');
  return {
    publicUrl: publicUrl.href.replace(/\/$/, ''),
    secureCookies: !(publicUrl.protocol === 'http:' && LOOPBACK_HOSTS.has(publicUrl.hostname)),
    sessions: loadSessions(objectAt(auth, 'sessions', `${WHERE}.sessions`)),
    oidc,
    saml,
    roleMappings: loadRoleMappings(auth.roleMappings),
  };
}

function parsePublicUrl(raw: unknown): URL {
  const setting = `${WHERE}.publicUrl`;
  if (typeof raw !== 'string' || raw.trim() === '')
    throw new ConfigError(setting, 'is required: the URL browsers reach the gateway at');
  const url = parseUrl(setting, raw);
  if (url.search || url.hash) throw new ConfigError(setting, 'must have no query or fragment');
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    throw new ConfigError(
      setting,
      `must be https:// (session cookies are Secure); http:// is accepted only on a loopback host, got '${raw}'`,
    );
  return url;
}

function parseUrl(setting: string, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(setting, `must be an http(s) URL, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(setting, `must be an http(s) URL, got '${raw}'`);
  return url;
}

function loadSessions(sessions: Yaml): SessionsConfig {
  const cookieName = sessions.cookieName ?? 'gw_session';
  if (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))
    throw new ConfigError(
      `${WHERE}.sessions.cookieName`,
      'must be 1 to 64 letters, digits, _ or -',
    );
  const ttlSeconds = integer(
    `${WHERE}.sessions.ttlSeconds`,
    sessions.ttlSeconds,
    43_200,
    10,
    30 * 86_400,
  );
  const idleSeconds = integer(
    `${WHERE}.sessions.idleSeconds`,
    sessions.idleSeconds,
    Math.min(3_600, ttlSeconds),
    10,
    ttlSeconds,
  );
  return {
    ttlSeconds,
    idleSeconds,
    cookieName,
    recheckSeconds: integer(
      `${WHERE}.sessions.recheckSeconds`,
      sessions.recheckSeconds,
      900,
      1,
      86_400,
    ),
  };
}

function requiredString(source: Yaml, key: string, setting: string): string {
  const value = source[key];
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigError(`${setting}.${key}`, 'is required (a non-empty string)');
  return value.trim();
}

function loadOidc(oidc: Yaml, env: Env, readFile: ReadFile): OidcConfig {
  const where = `${WHERE}.oidc`;
  const issuer = parseUrl(`${where}.issuer`, requiredString(oidc, 'issuer', where));
  if (issuer.protocol === 'http:' && !LOOPBACK_HOSTS.has(issuer.hostname))
    throw new ConfigError(`${where}.issuer`, 'must be https:// (http:// only on a loopback host)');
  const scopes = oidc.scopes ?? ['openid', 'email', 'profile'];
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || !/^\S+$/.test(s)))
    throw new ConfigError(`${where}.scopes`, 'must be a list of scope names');
  if (!scopes.includes('openid')) throw new ConfigError(`${where}.scopes`, "must include 'openid'");
  const rolesClaim = oidc.rolesClaim ?? 'groups';
  if (typeof rolesClaim !== 'string' || rolesClaim.trim() === '')
    throw new ConfigError(`${where}.rolesClaim`, 'must be a claim name');
  return {
    issuer: issuer.href.replace(/\/$/, ''),
    clientId: requiredString(oidc, 'clientId', where),
    clientSecret: clientSecret(oidc, env, readFile),
    scopes: scopes as string[],
    rolesClaim: rolesClaim.trim(),
  };
}

/** `clientSecret`, else the file `clientSecretFile` names, else the variable `clientSecretEnv` names. */
function clientSecret(oidc: Yaml, env: Env, readFile: ReadFile): string | undefined {
  const where = `${WHERE}.oidc`;
  const given = ['clientSecret', 'clientSecretFile', 'clientSecretEnv'].filter(
    (key) => oidc[key] !== undefined,
  );
  if (given.length > 1) throw new ConfigError(where, `set one of ${given.join(', ')}, not several`);
  let secret: string | undefined;
  if (typeof oidc.clientSecret === 'string') secret = oidc.clientSecret;
  else if (typeof oidc.clientSecretFile === 'string')
    secret = readSecretFile(`${where}.clientSecretFile`, oidc.clientSecretFile, readFile);
  else if (typeof oidc.clientSecretEnv === 'string') {
    secret = env[oidc.clientSecretEnv];
    if (secret === undefined)
      throw new ConfigError(
        `${where}.clientSecretEnv`,
        `names ${oidc.clientSecretEnv}, which is not set`,
      );
  } else if (given.length === 1) throw new ConfigError(`${where}.${given[0]}`, 'must be a string');
  secret = secret?.trim();
  if (given.length === 1 && !secret) throw new ConfigError(`${where}.${given[0]}`, 'is empty');
  return secret || undefined;
}

/** Default and largest tolerated clock difference with the IdP on NotBefore / NotOnOrAfter. */
const SAML_CLOCK_SKEW_SECONDS = 5;
const SAML_MAX_CLOCK_SKEW_SECONDS = 60;
const SAML_KEYS = [
  'entryPoint',
  'issuer',
  'idpCert',
  'idpCertFile',
  'rolesAttribute',
  'clockSkewSeconds',
];

const PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function loadSaml(saml: Yaml, readFile: ReadFile): SamlConfig {
  const where = `${WHERE}.saml`;
  const entryPoint = parseUrl(`${where}.entryPoint`, requiredString(saml, 'entryPoint', where));
  if (saml.idpCert !== undefined && saml.idpCertFile !== undefined)
    throw new ConfigError(where, 'set idpCert or idpCertFile, not both');
  let pem: string;
  let setting: string;
  if (typeof saml.idpCertFile === 'string') {
    setting = `${where}.idpCertFile`;
    pem = readSecretFile(setting, saml.idpCertFile, readFile);
  } else if (typeof saml.idpCert === 'string') {
    setting = `${where}.idpCert`;
    pem = saml.idpCert;
  } else {
    throw new ConfigError(
      `${where}.idpCertFile`,
      "is required (or idpCert): the IdP's signing certificate, PEM; signed assertions are required",
    );
  }
  const idpCerts = pem.match(PEM) ?? [];
  if (idpCerts.length === 0)
    throw new ConfigError(setting, 'must hold a PEM certificate (-----BEGIN CERTIFICATE-----)');
  const unknown = Object.keys(saml).filter((key) => !SAML_KEYS.includes(key));
  if (unknown.length > 0)
    throw new ConfigError(where, `unknown setting ${unknown.join(', ')} (${SAML_KEYS.join(', ')})`);
  const rolesAttribute = saml.rolesAttribute ?? 'memberOf';
  if (typeof rolesAttribute !== 'string' || rolesAttribute.trim() === '')
    throw new ConfigError(`${where}.rolesAttribute`, 'must be an attribute name');
  return {
    entryPoint: entryPoint.href,
    issuer: requiredString(saml, 'issuer', where),
    idpCerts,
    rolesAttribute: rolesAttribute.trim(),
    clockSkewSeconds: integer(
      `${where}.clockSkewSeconds`,
      saml.clockSkewSeconds,
      SAML_CLOCK_SKEW_SECONDS,
      0,
      SAML_MAX_CLOCK_SKEW_SECONDS,
    ),
  };
}

function loadRoleMappings(raw: unknown): RoleMapping[] {
  const where = `${WHERE}.roleMappings`;
  if (raw === undefined || raw === null)
    throw new ConfigError(
      where,
      'is required: nobody can sign in without one (e.g. - { match: platform-admins, role: admin })',
    );
  if (!Array.isArray(raw) || raw.length === 0)
    throw new ConfigError(where, 'must be a non-empty list');
  return raw.map((entry, index) => {
    const at = `${where}[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ConfigError(at, 'must be a mapping { match, role, teams? }');
    const item = entry as Yaml;
    const match = typeof item.match === 'number' ? String(item.match) : item.match;
    if (typeof match !== 'string' || match.trim() === '')
      throw new ConfigError(`${at}.match`, 'must be the claim or attribute value to match');
    if (typeof item.role !== 'string' || !(ROLES as readonly string[]).includes(item.role))
      throw new ConfigError(`${at}.role`, `must be one of ${ROLES.join(', ')}`);
    const teams = item.teams ?? [];
    if (!Array.isArray(teams) || teams.some((t) => typeof t !== 'string' || t.trim() === ''))
      throw new ConfigError(`${at}.teams`, 'must be a list of team ids');
    const unknown = Object.keys(item).filter((key) => !['match', 'role', 'teams'].includes(key));
    if (unknown.length > 0)
      throw new ConfigError(at, `unknown setting ${unknown.join(', ')} (match, role, teams)`);
    return {
      match: match.trim(),
      role: item.role as Role,
      teams: (teams as string[]).map((t) => t.trim()),
    };
  });
}
