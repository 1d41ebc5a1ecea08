import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { json, LocalServer } from './local-server';

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([\w-]+)\/secretsmanager\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * A local server speaking AWS Secrets Manager's JSON protocol for `GetSecretValue`: POST / with
 * `X-Amz-Target: secretsmanager.GetSecretValue` and `application/x-amz-json-1.1`, refusing any
 * request without a SigV4 `Authorization` header and `X-Amz-Date`, answering with AWS's shapes
 * (`SecretString`, `__type` errors such as `ResourceNotFoundException`).
 */
export class FakeAwsSecretsManager {
  private readonly server = new LocalServer((req, body, res) => this.handle(req, body, res));
  private readonly secrets = new Map<string, string>();
  readonly denied = new Set<string>();
  /** Access key id and region of each signed call, as the signature's credential scope said. */
  readonly calls: Array<{ secretId: string; accessKeyId: string; region: string }> = [];

  get url(): string {
    return this.server.url;
  }

  start(): Promise<string> {
    return this.server.start();
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  put(secretId: string, value: string): void {
    this.secrets.set(secretId, value);
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const aws = (status: number, type: string, message: string) =>
      json(res, status, { __type: type, message }, { 'x-amzn-requestid': randomUUID() });
    const signature = SIGV4.exec(String(req.headers.authorization ?? ''));
    if (!signature || !req.headers['x-amz-date'] || !signature[4].split(';').includes('x-amz-date'))
      return aws(
        400,
        'IncompleteSignatureException',
        'Authorization header requires a SigV4 signature.',
      );
    if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue')
      return aws(400, 'UnknownOperationException', 'Unknown operation');
    if (!String(req.headers['content-type']).startsWith('application/x-amz-json-1.1'))
      return aws(400, 'SerializationException', 'wrong content type');
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    this.calls.push({ secretId: SecretId, accessKeyId: signature[1], region: signature[3] });
    if (this.denied.has(SecretId))
      return aws(
        400,
        'AccessDeniedException',
        `User: arn:aws:iam::123456789012:user/gateway is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SecretId}`,
      );
    const value = this.secrets.get(SecretId);
    if (value === undefined)
      return aws(
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    json(
      res,
      200,
      {
        ARN: `arn:aws:secretsmanager:${signature[3]}:123456789012:secret:${SecretId}-AbCdEf`,
        Name: SecretId,
        VersionId: randomUUID(),
        SecretString: value,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      },
      { 'x-amzn-requestid': randomUUID() },
    );
  }
}
