import { createServer, type ServerHttp2Session } from 'node:http2';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenResponses } from '../lifecycle/open-responses';

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
  // Shutdown's grace end answers the calls still open here too.
  app.get(OpenResponses).watch(server as unknown as Parameters<OpenResponses['watch']>[0]);
  // A client keeps its session open for its next calls: closing the server alone would wait for
  // every client to hang up. Shutdown closes each session (GOAWAY; its streams finish first).
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.close();
      }),
  };
}
