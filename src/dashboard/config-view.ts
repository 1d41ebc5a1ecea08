import type { GatewayConfig } from '../config/gateway-config';
import type { ChannelConfig } from '../config/alerts-config';
import type { ExportConfig } from '../config/request-logs-config';
import type { GuardrailPolicy } from '../guardrails/guardrails-config';
import { findSecretSettings } from '../config/secret-settings';
import {
  envOrFileSecret,
  envSecret,
  envSecretValues,
  fieldSecret,
  hostOf,
  INLINE_SECRET,
  redactedUrl,
  yamlAt,
  type SecretShown,
} from './secret-sources';

type Env = Record<string, string | undefined>;
type Yaml = Record<string, unknown>;

/** What the configuration was read from: the environment and GATEWAY_CONFIG as written. */
export interface ConfigSources {
  env: Env;
  yaml: Yaml;
}

/**
 * The effective configuration as `GET /admin/config` answers it: every setting the gateway runs
 * on, each secret shown by where it comes from (a reference, a file, a variable) and never by its
 * value. Built field by field (an allow-list: a setting added later is not shown until it is
 * added here), then checked once more against every secret value the gateway holds.
 */
export function configView(config: GatewayConfig, sources: ConfigSources): Record<string, unknown> {
  const { env, yaml } = sources;
  const view = {
    object: 'config',
    server: {
      host: config.host,
      port: config.port,
      workers: config.workers,
      logLevel: config.logLevel,
      bodyLimitBytes: config.bodyLimitBytes,
      body: config.body,
      shutdown: config.shutdown,
    },
    groq: {
      baseUrl: redactedUrl(config.groq.baseUrl),
      keys: config.groq.keys.map((key) => ({
        id: key.id,
        weight: key.weight,
        models: key.models,
      })),
      keySources: groqKeySources(env, yaml),
      timeouts: config.groq.timeouts,
      maxConnections: config.groq.maxConnections,
    },
    models: {
      cacheTtlMs: config.models.cacheTtlMs,
      aliases: config.modelAliases,
      fallbacks: config.fallbacks,
      routes: config.routes.map((route) => ({
        id: route.id,
        strategy: route.strategy,
        targets: route.targets.map((t) => ({ model: t.model, weight: t.weight })),
        fallbacks: route.fallbacks,
      })),
      responsesMode: config.responses.mode,
      completionsConvertWithoutHeader: config.completions.convertWithoutHeader,
    },
    reliability: { retries: config.retries, circuitBreaker: config.circuitBreaker },
    redis: config.redisUrl
      ? {
          url: redactedUrl(config.redisUrl),
          source: envSecret(env, 'REDIS_URL') ?? fieldSecret(yaml, 'redisUrl', env),
        }
      : null,
    governance: governanceView(config, env),
    guardrails: {
      defaults: config.guardrails.defaults,
      streaming: config.guardrails.streaming,
      blockedStatus: config.guardrails.blockedStatus,
      policies: config.guardrails.policies.map(policyView),
    },
    requestLogs: requestLogsView(config, env, yaml),
    alerts: {
      evaluateIntervalMs: config.alerts.evaluateIntervalMs,
      cooldownMs: config.alerts.cooldownMs,
      deliveryAttempts: config.alerts.deliveryAttempts,
      queueLimit: config.alerts.queueLimit,
      allowPrivateNetworks: config.alerts.allowPrivateNetworks,
      linkTemplate: config.alerts.linkTemplate ?? null,
      channels: config.alerts.channels.map((channel) =>
        channelView(channel, channelYaml(yaml, channel.id), env),
      ),
      rules: config.alerts.rules,
    },
    auth: config.auth
      ? {
          publicUrl: config.auth.publicUrl,
          secureCookies: config.auth.secureCookies,
          sessions: config.auth.sessions,
          oidc: config.auth.oidc
            ? {
                issuer: config.auth.oidc.issuer,
                clientId: config.auth.oidc.clientId,
                clientSecret: fieldSecret(yamlAt(yaml, 'auth', 'oidc'), 'clientSecret', env),
                scopes: config.auth.oidc.scopes,
                rolesClaim: config.auth.oidc.rolesClaim,
              }
            : null,
          saml: config.auth.saml
            ? {
                entryPoint: redactedUrl(config.auth.saml.entryPoint),
                issuer: config.auth.saml.issuer,
                idpCertificates: config.auth.saml.idpCerts.length,
                rolesAttribute: config.auth.saml.rolesAttribute,
                clockSkewSeconds: config.auth.saml.clockSkewSeconds,
              }
            : null,
          roleMappings: config.auth.roleMappings,
        }
      : null,
    network: {
      egress: {
        httpProxy: redactedUrl(config.network.egress.httpProxy),
        httpsProxy: redactedUrl(config.network.egress.httpsProxy),
        noProxy: config.network.egress.noProxy ?? null,
        caFile: config.network.egress.caFile ?? null,
      },
      tls: config.network.tls ?? null,
      h2cPort: config.network.h2cPort ?? null,
      trustedProxies: config.network.trustedProxies,
      meshClientCertHeader: config.network.meshClientCertHeader ?? null,
      meshRetries: config.network.meshRetries,
    },
    observability: {
      otlpEndpoint: redactedUrl(config.otel.endpoint),
      serviceName: config.otel.serviceName,
    },
    secrets: {
      refreshSeconds: config.secrets.refreshSeconds,
      references: findSecretSettings(env, yaml),
      vault: env.VAULT_ADDR
        ? {
            address: redactedUrl(env.VAULT_ADDR),
            namespace: env.VAULT_NAMESPACE ?? null,
            token: envSecret(env, 'VAULT_TOKEN'),
            appRoleSecretId: envSecret(env, 'VAULT_SECRET_ID'),
            kubernetesRole: env.VAULT_K8S_ROLE ?? null,
          }
        : null,
    },
  };
  return withoutSecrets(view, secretValues(config, env)) as Record<string, unknown>;
}

function groqKeySources(env: Env, yaml: Yaml): SecretShown[] {
  const fromEnv = envSecret(env, 'GROQ_API_KEYS') ?? envSecret(env, 'GROQ_API_KEY');
  if (fromEnv) return [fromEnv];
  const entries = yamlAt(yaml, 'groq').keys;
  if (!Array.isArray(entries)) return [];
  return entries.map((entry) => fieldSecret(entry, 'key', env) ?? INLINE_SECRET);
}

function governanceView(config: GatewayConfig, env: Env) {
  const g = config.governance;
  return {
    adminKey: envSecret(env, 'GATEWAY_ADMIN_KEY'),
    onStoreFailure: g.onStoreFailure,
    clampToRemaining: g.clampToRemaining,
    reserveOutputTokens: g.reserveOutputTokens,
    reservationLeaseMs: g.reservationLeaseMs,
    audit: g.audit,
    prices: g.prices,
    retiredModels: g.retiredModels ?? null,
    teams: g.teams.map((t) => ({ id: t.id, name: t.name ?? null, budget: t.budget ?? null })),
    virtualKeys: g.virtualKeys.map((k) => ({
      id: k.id,
      name: k.name ?? null,
      team: k.team ?? null,
      models: k.models,
      requestsPerMinute: k.requestsPerMinute ?? null,
      tokensPerMinute: k.tokensPerMinute ?? null,
      budget: k.budget ?? null,
      guardrails: k.guardrails ?? [],
    })),
  };
}

export function policyView(policy: GuardrailPolicy): Record<string, unknown> {
  if (policy.kind !== 'webhook') return { ...policy };
  return {
    id: policy.id,
    kind: policy.kind,
    stage: policy.stage,
    action: policy.action,
    url: redactedUrl(policy.url),
    timeoutMs: policy.timeoutMs,
    onError: policy.onError,
    headers: Object.fromEntries(Object.keys(policy.headers).map((name) => [name, INLINE_SECRET])),
  };
}

function requestLogsView(config: GatewayConfig, env: Env, yaml: Yaml) {
  const logs = config.requestLogs;
  // GATEWAY_CONFIG's key is `logs` (src/config/load-request-logs-config.ts).
  const logsYaml = yamlAt(yaml, 'logs');
  return {
    store: logs.store,
    dataDir: logs.store === 'sqlite' ? logs.dataDir : null,
    postgres: logs.postgresUrl
      ? {
          url: redactedUrl(logs.postgresUrl),
          source: envSecret(env, 'LOGS_POSTGRES_URL') ?? fieldSecret(logsYaml, 'postgresUrl', env),
        }
      : null,
    retentionDays: logs.retentionDays,
    retentionByVirtualKey: logs.retentionByVirtualKey,
    retentionByTeam: logs.retentionByTeam,
    bodies: logs.bodies,
    bodyMaxBytes: logs.bodyMaxBytes,
    clientAddress: logs.clientAddress,
    onOverflow: logs.onOverflow,
    queueSize: logs.queueSize,
    batchSize: logs.batchSize,
    flushIntervalMs: logs.flushIntervalMs,
    queryTimeoutMs: logs.queryTimeoutMs,
    tailMaxPerCaller: logs.tailMaxPerCaller,
    exports: logs.exports.map((e, i) => exportView(e, yamlAt(logsYaml, 'exports', i), env)),
  };
}

function exportView(target: ExportConfig, raw: Yaml, env: Env): Record<string, unknown> {
  const common = {
    type: target.type,
    name: target.name,
    queueSize: target.queueSize,
    batchSize: target.batchSize,
    flushIntervalMs: target.flushIntervalMs,
    maxAttempts: target.maxAttempts,
  };
  // The gateway lowercases header names (Authorization is authorization): looked up alike.
  const written = Object.entries(yamlAt(raw, 'headers'));
  const headers = (names: string[]) =>
    Object.fromEntries(
      names.map((name) => [
        name,
        envOrFileSecret(written.find(([key]) => key.toLowerCase() === name)?.[1], env),
      ]),
    );
  switch (target.type) {
    case 's3':
      return {
        ...common,
        bucket: target.bucket,
        prefix: target.prefix,
        endpoint: redactedUrl(target.endpoint),
        region: target.region,
      };
    case 'otlp':
      return {
        ...common,
        url: redactedUrl(target.url),
        headers: headers(Object.keys(target.headers)),
      };
    case 'http':
      return {
        ...common,
        url: redactedUrl(target.url),
        secret: envOrFileSecret(raw.secret, env),
        signatureHeader: target.signatureHeader,
        headers: headers(Object.keys(target.headers)),
      };
  }
}

function channelYaml(yaml: Yaml, id: string): Yaml {
  const channels = yamlAt(yaml, 'alerts').channels;
  const found = Array.isArray(channels)
    ? channels.find((c) => (c as Yaml | null)?.id === id)
    : undefined;
  return yamlAt(found);
}

function channelView(channel: ChannelConfig, raw: Yaml, env: Env): Record<string, unknown> {
  const base = { id: channel.id, kind: channel.kind };
  switch (channel.kind) {
    case 'slack':
    case 'teams':
      return {
        ...base,
        host: hostOf(channel.url),
        webhookUrl: fieldSecret(raw, 'url', env) ?? fieldSecret(raw, 'webhookUrl', env),
      };
    case 'pagerduty':
      return {
        ...base,
        routingKey: fieldSecret(raw, 'routingKey', env),
        eventsUrl: redactedUrl(channel.eventsUrl),
      };
    case 'email':
      return {
        ...base,
        smtpUrl: redactedUrl(channel.smtpUrl),
        smtpUrlSource: fieldSecret(raw, 'smtpUrl', env),
        from: channel.from,
        to: channel.to,
      };
    case 'webhook':
      return {
        ...base,
        host: hostOf(channel.url),
        url: fieldSecret(raw, 'url', env),
        secret: fieldSecret(raw, 'secret', env),
      };
  }
}

/** Every secret value the configuration holds, for the last check of the view. */
function secretValues(config: GatewayConfig, env: Env): string[] {
  const values: (string | undefined)[] = [
    ...config.groq.keys.map((k) => k.key),
    config.auth?.oidc?.clientSecret,
    config.redisUrl,
    passwordOf(config.redisUrl),
    config.requestLogs.postgresUrl,
    passwordOf(config.requestLogs.postgresUrl),
    passwordOf(config.network.egress.httpProxy),
    passwordOf(config.network.egress.httpsProxy),
    ...envSecretValues(env),
  ];
  for (const channel of config.alerts.channels) {
    if (channel.kind === 'pagerduty') values.push(channel.routingKey);
    else if (channel.kind === 'email') values.push(channel.smtpUrl, passwordOf(channel.smtpUrl));
    else values.push(channel.url);
    if (channel.kind === 'webhook') values.push(channel.secret);
  }
  for (const target of config.requestLogs.exports) {
    if (target.type === 's3') continue;
    values.push(...Object.values(target.headers));
    if (target.type === 'http') values.push(target.secret);
  }
  for (const policy of config.guardrails.policies)
    if (policy.kind === 'webhook') values.push(...Object.values(policy.headers));
  return values.filter((v): v is string => typeof v === 'string' && v.trim().length >= 8);
}

function passwordOf(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const password = decodeURIComponent(new URL(raw).password);
    return password || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The view with any string holding one of `secrets` replaced by `set (redacted)`: the allow-list
 * above should never let one through; this makes sure a future setting cannot either.
 */
export function withoutSecrets(node: unknown, secrets: readonly string[]): unknown {
  if (typeof node === 'string')
    return secrets.some((secret) => node.includes(secret)) ? INLINE_SECRET : node;
  if (Array.isArray(node)) return node.map((item) => withoutSecrets(item, secrets));
  if (node !== null && typeof node === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node))
      copy[secrets.some((secret) => key.includes(secret)) ? INLINE_SECRET : key] = withoutSecrets(
        value,
        secrets,
      );
    return copy;
  }
  return node;
}
