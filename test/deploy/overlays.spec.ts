import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The NetworkPolicy and the overlays under deploy/kubernetes/overlays (issue 22), rendered by
 * `kubectl kustomize` (a kubectl new enough for `labels`, 1.27+, as this machine image has) and
 * checked for what each overlay promises. Without such a kubectl the render tests say so and
 * the files are still parsed and checked as YAML.
 */
// Parsed YAML is untyped; these tests walk it freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;

const ROOT = join(__dirname, '..', '..');
const K8S = join(ROOT, 'deploy', 'kubernetes');
const OVERLAYS = ['istio', 'linkerd', 'tls', 'proxy'] as const;

function kubectlMinor(): number | undefined {
  const probe = spawnSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const version = JSON.parse(probe.stdout) as { clientVersion?: { minor?: string } };
  return Number.parseInt(version.clientVersion?.minor ?? '', 10) || undefined;
}
const minor = kubectlMinor();
const canRender = minor !== undefined && minor >= 27;
const renderIt = canRender ? it : it.skip;

function render(path: string): Loose[] {
  const text = execFileSync('kubectl', ['kustomize', join(K8S, path)], { encoding: 'utf8' });
  return parseAllDocuments(text).map((doc) => doc.toJSON() as Loose);
}

function yamlFile(path: string): Loose[] {
  return parseAllDocuments(readFileSync(join(K8S, path), 'utf8')).map(
    (doc) => doc.toJSON() as Loose,
  );
}

const gatewayOf = (objects: Loose[], kind: string): Loose =>
  objects.find((o) => o.kind === kind && o.metadata.name === 'groq-gateway') as Loose;
const envOf = (deployment: Loose): Record<string, string> =>
  Object.fromEntries(
    (deployment.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map(
      (e) => [e.name, e.value ?? ''],
    ),
  );

/** Every network setting the gateway reads (load-network-config.ts), plus the proxy `_FILE`s. */
function networkEnvNames(): Set<string> {
  const source = readFileSync(join(ROOT, 'src', 'config', 'load-network-config.ts'), 'utf8');
  const names = new Set([...source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
  for (const [, name] of source.matchAll(/proxyUrl\(env, '([A-Z_]+)'/g)) {
    names.add(name);
    names.add(`${name}_FILE`);
  }
  return names;
}

function expectPodSecurity(deployment: Loose): void {
  const pod = deployment.spec.template.spec;
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.containers[0].securityContext).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
}

describe('NetworkPolicy', () => {
  const [policy] = yamlFile('base/networkpolicy.yaml');

  it('selects the gateway and limits both directions', () => {
    expect(policy.kind).toBe('NetworkPolicy');
    expect(policy.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'groq-gateway',
    });
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('lets in the namespace callers and the monitoring scraper, on the http port only', () => {
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    expect(rule.from).toEqual([
      { podSelector: {} },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ]);
  });

  it('lets out DNS, Redis, Postgres and HTTPS to public addresses only', () => {
    const ports = (policy.spec.egress as Loose[]).map((rule) =>
      (rule.ports as { port: number }[]).map((p) => p.port),
    );
    expect(ports).toEqual([[53, 53], [6379], [5432], [443]]);
    const internet = policy.spec.egress[3].to[0].ipBlock;
    expect(internet.except).toEqual(
      expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']),
    );
  });
});

describe('overlays', () => {
  it('each overlay builds on the base and sets only settings the gateway reads', () => {
    const known = networkEnvNames();
    for (const overlay of OVERLAYS) {
      const [kustomization] = yamlFile(`overlays/${overlay}/kustomization.yaml`);
      expect(kustomization.resources).toContain('../../base');
      const [patch] = yamlFile(`overlays/${overlay}/deployment-patch.yaml`);
      for (const { name } of patch.spec.template.spec.containers[0].env ?? [])
        expect([overlay, known.has(name) ? name : `unknown ${name}`]).toEqual([overlay, name]);
    }
  });

  renderIt(`render with kubectl kustomize (kubectl 1.${minor ?? '?'})`, () => {
    expect(render('').filter((o) => o.kind === 'NetworkPolicy')).toHaveLength(1);
  });

  renderIt('every overlay keeps the pod security of the base', () => {
    for (const overlay of OVERLAYS) {
      const objects = render(`overlays/${overlay}`);
      expectPodSecurity(gatewayOf(objects, 'Deployment'));
      expect(gatewayOf(objects, 'NetworkPolicy')).toBeDefined();
    }
  });

  renderIt(
    'istio: sidecar injected and awaited, probes rewritten, XFCC from the sidecar only',
    () => {
      const deployment = gatewayOf(render('overlays/istio'), 'Deployment');
      const meta = deployment.spec.template.metadata;
      expect(meta.labels['sidecar.istio.io/inject']).toBe('true');
      expect(JSON.parse(meta.annotations['proxy.istio.io/config'])).toMatchObject({
        holdApplicationUntilProxyStarts: true,
      });
      expect(meta.annotations['sidecar.istio.io/rewriteAppHTTPProbers']).toBe('true');
      expect(envOf(deployment)).toMatchObject({
        TRUSTED_PROXIES: '127.0.0.6/32,127.0.0.1/32',
        MESH_CLIENT_CERT_HEADER: 'x-forwarded-client-cert',
      });
      const service = gatewayOf(render('overlays/istio'), 'Service');
      expect(service.spec.ports[0]).toMatchObject({ name: 'http', appProtocol: 'http' });
    },
  );

  renderIt('linkerd: injected, the gateway waits for the proxy', () => {
    const deployment = gatewayOf(render('overlays/linkerd'), 'Deployment');
    expect(deployment.spec.template.metadata.annotations).toMatchObject({
      'linkerd.io/inject': 'enabled',
      'config.linkerd.io/proxy-await': 'enabled',
    });
  });

  renderIt(
    'tls: a cert-manager Certificate, the TLS listener, HTTPS probes and Service port',
    () => {
      const objects = render('overlays/tls');
      const certificate = objects.find((o) => o.kind === 'Certificate') as Loose;
      expect(certificate.spec.secretName).toBe('groq-gateway-tls');
      const deployment = gatewayOf(objects, 'Deployment');
      const container = deployment.spec.template.spec.containers[0];
      expect(envOf(deployment)).toMatchObject({
        TLS_CERT_FILE: '/var/run/secrets/tls/tls.crt',
        TLS_KEY_FILE: '/var/run/secrets/tls/tls.key',
      });
      expect(container.readinessProbe.httpGet.scheme).toBe('HTTPS');
      expect(container.livenessProbe.httpGet.scheme).toBe('HTTPS');
      expect(deployment.spec.template.spec.volumes).toEqual(
        expect.arrayContaining([{ name: 'tls', secret: { secretName: 'groq-gateway-tls' } }]),
      );
      expect(gatewayOf(objects, 'Service').spec.ports[0]).toMatchObject({
        name: 'https',
        port: 443,
        appProtocol: 'https',
      });
    },
  );

  renderIt('proxy: egress through the proxy only, its URL and CA from the cluster', () => {
    const objects = render('overlays/proxy');
    expect(envOf(gatewayOf(objects, 'Deployment'))).toMatchObject({
      HTTPS_PROXY_FILE: '/var/run/secrets/proxy/url',
      UPSTREAM_CA_FILE: '/etc/groq-gateway-ca/ca.pem',
    });
    const egress = gatewayOf(objects, 'NetworkPolicy').spec.egress as Loose[];
    expect(egress.flatMap((rule) => rule.ports.map((p: { port: number }) => p.port))).toEqual([
      53, 53, 6379, 5432, 3128,
    ]);
    expect(JSON.stringify(egress)).not.toContain('0.0.0.0/0');
  });
});
