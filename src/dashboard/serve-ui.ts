import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UI_SECURITY_HEADERS, uiCacheControl } from './ui-security-headers';

/** Where `npm run build` puts the dashboard (vite build into dist/ui). */
export const UI_ROOT = join(__dirname, '..', 'ui');

/**
 * Serves the dashboard's built files at /ui/ with its strict CSP and security headers, when the
 * build holds them (a gateway built without the UI answers /ui with a 404 that says so).
 */
export async function serveUi(fastify: FastifyInstance, root = UI_ROOT): Promise<void> {
  await fastify.register(async (scope) => {
    scope.addHook('onSend', async (request, reply, payload) => {
      for (const [name, value] of Object.entries(UI_SECURITY_HEADERS)) reply.header(name, value);
      if (!reply.hasHeader('cache-control'))
        reply.header('cache-control', uiCacheControl(request.url));
      return payload;
    });
    if (!existsSync(join(root, 'index.html'))) {
      scope.get('/ui', (_request, reply) => missing(reply));
      scope.get('/ui/*', (_request, reply) => missing(reply));
      return;
    }
    // The page's relative asset paths need the slash.
    scope.get('/ui', (_request, reply) => reply.redirect('/ui/', 301));
    await scope.register(fastifyStatic, {
      root,
      prefix: '/ui/',
      index: ['index.html'],
      wildcard: true,
      dotfiles: 'deny',
      // Hashed assets get a year (uiCacheControl); the page is revalidated each time.
      cacheControl: false,
      setHeaders: (reply, path) => reply.header('cache-control', uiCacheControl(path)),
    });
  });
}

function missing(reply: import('fastify').FastifyReply) {
  return reply.code(404).send({
    error: {
      message:
        'This gateway was built without its dashboard (dist/ui is missing): run `npm run build`, which builds the UI too.',
      type: 'invalid_request_error',
      code: 'ui_not_built',
      param: null,
    },
  });
}
