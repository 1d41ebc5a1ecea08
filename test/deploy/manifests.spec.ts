import { parseSecretReference } from '../../src/secrets/secret-reference';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadGatewayConfig } from '../../src/config/load-config';

/**
 * No container engine or cluster runs here, so these read the deployment files and check what
 * matters in them: ports, probes, env names against the configuration the gateway reads,
 * non-root, and a shutdown budget that matches the drain.
 */
// Parsed YAML is untyped; these tests walk it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
type Manifest = Loose & { kind: string; metadata: { name: string } };

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'kubernetes', 'base');
const SECRETS = join(ROOT, 'deploy', 'kubernetes', 'secrets');

const manifests: Manifest[] = readdirSync(K8S)
  .filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml')
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((doc) => doc.toJSON() as Manifest),
  );
/** The gateway's own object of a kind (Redis has a Service too). */
const byKind = (kind: string) =>
  manifests.find((m) => m.kind === kind && !m.metadata?.name?.endsWith('-redis')) as Manifest;
/** The Secret template, kept out of the kustomization (secrets/): what to create by hand. */
const secretTemplates: Manifest[] = parseAllDocuments(
  readFileSync(join(SECRETS, 'secrets.template.yaml'), 'utf8'),
).map((doc) => doc.toJSON() as Manifest);

/** Every environment variable the gateway reads, taken from the configuration loader itself. */
function knownEnvNames(): Set<string> {
  const source = ['load-config.ts', 'load-governance-config.ts', 'integer-settings.ts']
    .map((file) => readFileSync(join(ROOT, 'src', 'config', file), 'utf8'))
    .join('\n');
  const names = new Set([...source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
  // The whole-number settings' table is keyed by the variable's name.
  for (const [, name] of source.matchAll(/^ {2}([A-Z][A-Z0-9_]+): \{/gm)) names.add(name);
  for (const [, name] of source.matchAll(/(?:listFromEnv|secretFromEnv)\(env, '([A-Z_]+)'/g)) {
    names.add(name);
    names.add(`${name}_FILE`);
  }
  return names;
}

describe('Kubernetes manifests', () => {
  const deployment = byKind('Deployment');
  const pod = deployment.spec.template;
  const container = pod.spec.containers[0];
  const httpPort = container.ports.find((p: { name: string }) => p.name === 'http');

  it('lists every manifest in the kustomization', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
    };
    const files = readdirSync(K8S).filter(
      (file) => file.endsWith('.yaml') && file !== 'kustomization.yaml',
    );
    expect(kustomization.resources.sort()).toEqual(files.sort());
  });

  it('has the objects a production rollout needs', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'Namespace',
        // Who may talk to the gateway and whom it may reach (issue 22; overlays.spec.ts).
        'NetworkPolicy',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
        'ServiceMonitor',
        // The shared Redis (REDIS_URL): a StatefulSet on a volume, and its Service.
        'Service',
        'StatefulSet',
      ].sort(),
    );
  });

  it('runs as its own service account (the identity IRSA / workload identity bind), no token mounted', () => {
    const account = byKind('ServiceAccount');
    expect(account.metadata.name).toBe('groq-gateway');
    expect(account.automountServiceAccountToken).toBe(false);
    expect(deployment.spec.template.spec.serviceAccountName).toBe(account.metadata.name);
  });

  it('shows each secret manager as a commented option whose references the gateway parses', () => {
    const text = ['deployment.yaml', 'serviceaccount.yaml']
      .map((file) => readFileSync(join(K8S, file), 'utf8'))
      .join('\n');
    const references = [
      ...text.matchAll(/#\s+value: ((?:vault|aws-sm|gcp-sm|azure-kv)\S*:\/\/\S+)/g),
    ].map((m) => m[1]);
    expect(references.map((r) => parseSecretReference(r).provider).sort()).toEqual([
      'aws-sm',
      'azure-kv',
      'gcp-sm',
      'vault',
    ]);
    for (const option of [
      'VAULT_K8S_ROLE',
      'audience: vault',
      'eks.amazonaws.com/role-arn',
      'iam.gke.io/gcp-service-account',
      'azure.workload.identity/client-id',
    ])
      expect(text).toContain(option);
  });

  it('serves on the gateway port, and the Service and ServiceMonitor reach it by name', () => {
    expect(httpPort.containerPort).toBe(
      Number(container.env.find((e: { name: string }) => e.name === 'PORT').value),
    );
    const service = byKind('Service');
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(byKind('ServiceMonitor').spec.endpoints[0]).toMatchObject({
      port: 'http',
      path: '/metrics',
    });
  });

  it("probes the gateway's health endpoints", () => {
    expect(container.readinessProbe.httpGet).toEqual({ path: '/health/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health/live', port: 'http' });
  });

  it('selects the pods it manages in Service, PodDisruptionBudget and ServiceMonitor', () => {
    const podLabels = pod.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([k, v]) => podLabels[k] === v);
    expect(matches(deployment.spec.selector.matchLabels)).toBe(true);
    expect(matches(byKind('Service').spec.selector)).toBe(true);
    expect(matches(byKind('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    expect(byKind('HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
  });

  it('sets only environment variables the gateway reads', () => {
    const known = knownEnvNames();
    const names = (container.env as Array<{ name: string }>).map((e) => e.name);
    expect(names.filter((name) => !known.has(name))).toEqual([]);
  });

  it('runs as non-root, read-only, with no privilege escalation, and with resource requests', () => {
    expect(pod.spec.securityContext.runAsNonRoot).toBe(true);
    expect(pod.spec.securityContext.runAsUser).toBeGreaterThan(0);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(container.resources.requests.cpu).toBeTruthy();
    expect(container.resources.limits.memory).toBeTruthy();
  });

  it('gives the pod time for preStop, the drain delay and the grace period', () => {
    const env = Object.fromEntries(
      (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
    );
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    const needed =
      preStopSeconds * 1000 + Number(env.SHUTDOWN_DRAIN_DELAY_MS) + Number(env.SHUTDOWN_GRACE_MS);
    expect(pod.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(needed);
  });

  it("mounts a ConfigMap that the gateway's own loader accepts, with keys from the Secret", () => {
    const configMap = byKind('ConfigMap');
    const secret = secretTemplates.find((m) => m.metadata.name === 'groq-gateway-keys') as Manifest;
    const adminSecret = secretTemplates.find(
      (m) => m.metadata.name === 'groq-gateway-admin',
    ) as Manifest;
    const adminPath = container.volumeMounts.find((m: { name: string }) => m.name === 'admin-key')
      .mountPath as string;
    const mountPath = container.volumeMounts.find((m: { name: string }) => m.name === 'config')
      .mountPath as string;
    const keysPath = container.volumeMounts.find((m: { name: string }) => m.name === 'groq-keys')
      .mountPath as string;
    const env = Object.fromEntries(
      (container.env as Array<{ name: string; value: string }>).map((e) => [e.name, e.value]),
    );
    const files: Record<string, string> = {};
    for (const [name, text] of Object.entries(configMap.data as Record<string, string>))
      files[`${mountPath}/${name}`] = text;
    for (const name of Object.keys(secret.stringData as Record<string, string>))
      files[`${keysPath}/${name}`] = 'gsk_from_secret';
    for (const name of Object.keys(adminSecret.stringData as Record<string, string>))
      files[`${adminPath}/${name}`] = 'admin-key-from-the-secret-0123';
    const config = loadGatewayConfig(env, (path) => {
      if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[path];
    });
    expect(config.groq.keys.map((k) => k.id)).toEqual(['primary', 'secondary']);
    expect(config.groq.keys.every((k) => k.key === 'gsk_from_secret')).toBe(true);
    expect(config.governance.adminKeySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(config.governance.audit.destination).toBe('stdout');
    expect(JSON.stringify(configMap)).not.toMatch(/gsk_[A-Za-z0-9]{8,}/);

    // Mounted as the template has them, the placeholders stop start-up, naming the setting.
    for (const name of Object.keys(adminSecret.stringData as Record<string, string>))
      files[`${adminPath}/${name}`] = (adminSecret.stringData as Record<string, string>)[name];
    expect(() =>
      loadGatewayConfig(env, (path) => {
        if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
        return files[path];
      }),
    ).toThrow(/^GATEWAY_ADMIN_KEY_FILE: is a template's placeholder/);
  });

  it('keeps Secrets out of the kustomization: applying it never overwrites one made separately', () => {
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(secretTemplates.map((m) => m.metadata.name).sort()).toEqual([
      'groq-gateway-admin',
      'groq-gateway-keys',
    ]);
  });

  it('uses labels (not the deprecated commonLabels), and an image set by kustomize, not a placeholder', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as Loose;
    expect(kustomization.commonLabels).toBeUndefined();
    expect(kustomization.labels[0]).toMatchObject({
      pairs: { 'app.kubernetes.io/part-of': 'groq-gateway' },
      includeSelectors: false,
    });
    expect(container.image).toBe('groq-gateway');
    expect(kustomization.images).toEqual([{ name: 'groq-gateway', newTag: expect.any(String) }]);
    expect(JSON.stringify(manifests)).not.toMatch(/example\/groq-gateway/);
  });

  it('ships the Redis that REDIS_URL names, on a volume, non-root', () => {
    const redisUrl = new URL(
      (container.env as Array<{ name: string; value: string }>).find((e) => e.name === 'REDIS_URL')
        ?.value as string,
    );
    const redisService = manifests.find(
      (m) => m.kind === 'Service' && m.metadata.name === redisUrl.hostname,
    ) as Manifest;
    expect(redisService.spec.ports[0].port).toBe(Number(redisUrl.port));
    const redis = manifests.find((m) => m.kind === 'StatefulSet') as Manifest;
    expect(redis.spec.template.metadata.labels).toMatchObject(redisService.spec.selector);
    expect(redis.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(redis.spec.template.spec.containers[0].args).toContain('--appendonly');
    expect(redis.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages[stages.length - 1];

  it('is multi-stage, and the runtime stage has no compiler or dev dependencies', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]).toMatch(/npm prune --omit=dev/);
    expect(runtime).not.toMatch(/npm (ci|install)/);
    expect(runtime).not.toMatch(/COPY (src|test)/);
  });

  it('runs as a non-root user on the gateway port', () => {
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^EXPOSE 8080$/m);
    expect(runtime).toMatch(/CMD \["node", "dist\/main\.js"\]/);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Loose>;
  };

  it('runs the gateway against the emulator, with Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['emulator', 'gateway', 'redis']);
    const gateway = compose.services.gateway;
    expect(gateway.environment.GROQ_BASE_URL).toBe(
      `http://emulator:${compose.services.emulator.environment.EMULATOR_PORT}`,
    );
    expect(gateway.environment.REDIS_URL).toMatch(/^redis:\/\/redis:6379/);
    expect(gateway.ports).toContain('8080:8080');
  });

  it('sets only environment variables the gateway reads', () => {
    const known = knownEnvNames();
    expect(
      Object.keys(compose.services.gateway.environment).filter((name) => !known.has(name)),
    ).toEqual([]);
  });
});
