import { createServer } from 'node:http2';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Cleartext HTTP/2 (h2c, prior knowledge) on a port of its own: Node cannot serve h2c and
 * HTTP/1.1 on one port, and meshes that speak h2c to their workloads need it. Requests go into
 * the same Fastify routes as the main listener. Resolves with its port and a close function.
 */
export async function listenH2c(
  app: NestFastifyApplication,
  port: number,
  host: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const fastify = app.getHttpAdapter().getInstance();
  const server = createServer((request, response) => {
    (fastify.routing as (req: unknown, res: unknown) => void)(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
