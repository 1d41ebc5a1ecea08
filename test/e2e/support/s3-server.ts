import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import S3rver from 's3rver';

/** s3rver's fixed credentials: it checks SigV4 signatures made with them. */
export const S3RVER_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
};

export interface StoredObject {
  key: string;
  metadata: Record<string, string>;
  contentType?: string;
  /** The object's bytes, gunzipped. */
  text: string;
}

export interface S3Server {
  endpoint: string;
  /** Every object of the bucket, read back through the S3 API and decompressed. */
  objects(): Promise<StoredObject[]>;
  stop(): Promise<void>;
}

/**
 * s3rver (a local S3-compatible server from npm, files in a temp folder) on a loopback port, with
 * one bucket. It verifies SigV4 signatures, so the gateway's AWS default credential chain is used
 * for real (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY = S3RVER).
 */
export async function startS3Server(bucket: string): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: S3RVER_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: S3RVER_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  return {
    endpoint,
    objects: async () => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      const objects: StoredObject[] = [];
      for (const { Key } of listed.Contents ?? []) {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const bytes = Buffer.from(await got.Body!.transformToByteArray());
        objects.push({
          key: Key!,
          metadata: got.Metadata ?? {},
          contentType: got.ContentType,
          text: gunzipSync(bytes).toString('utf8'),
        });
      }
      return objects;
    },
    stop: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
