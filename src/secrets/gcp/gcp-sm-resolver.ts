import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import type { GcpSecretManagerReference } from '../secret-reference';
import { describeSdkError, ReadSecret, SecretReadError, SecretResolver } from '../secret-resolver';
import { nonEmpty } from '../secret-value';

type Sdk = typeof import('@google-cloud/secret-manager');

/**
 * Google Secret Manager through the official client over its REST transport (no gRPC channel),
 * credentials by Application Default Credentials (workload identity on GKE).
 * GCP_SECRET_MANAGER_ENDPOINT names another endpoint: a regional one
 * (`https://secretmanager.europe-west1.rep.googleapis.com`), a private one, or a test server.
 */
export class GcpSecretManagerResolver implements SecretResolver<GcpSecretManagerReference> {
  private readonly client: SecretManagerServiceClient;

  constructor(sdk: Sdk, endpoint?: string) {
    this.client = new sdk.SecretManagerServiceClient({
      fallback: true,
      ...endpointOptions(endpoint),
    });
  }

  async read(reference: GcpSecretManagerReference): Promise<ReadSecret> {
    let version;
    try {
      [version] = await this.client.accessSecretVersion({ name: reference.versionName });
    } catch (error) {
      throw new SecretReadError(describeGoogleError(error));
    }
    const data = version.payload?.data;
    if (data === undefined || data === null) throw new SecretReadError('the secret has no payload');
    return {
      value: nonEmpty(typeof data === 'string' ? data : Buffer.from(data).toString('utf8')),
    };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function endpointOptions(endpoint: string | undefined): Record<string, unknown> {
  if (!endpoint?.trim()) return {};
  let url: URL;
  try {
    url = new URL(endpoint.includes('://') ? endpoint : `https://${endpoint}`);
  } catch {
    throw new SecretReadError(
      'GCP_SECRET_MANAGER_ENDPOINT must be a host or an http(s) URL, e.g. https://secretmanager.europe-west1.rep.googleapis.com',
    );
  }
  const protocol = url.protocol.replace(':', '');
  return {
    apiEndpoint: url.hostname,
    port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443,
    protocol,
  };
}

/** The REST transport leaves some errors as Google's JSON body: worded as `STATUS: message`. */
export function describeGoogleError(error: unknown): string {
  const message = (error as Error | undefined)?.message?.trim() ?? '';
  if (message.startsWith('{')) {
    try {
      const body = JSON.parse(message) as { error?: { status?: string; message?: string } };
      if (body.error?.message) return `${body.error.status ?? 'ERROR'}: ${body.error.message}`;
    } catch {
      // not JSON after all
    }
  }
  return describeSdkError(error);
}
