/**
 * Which methods each route takes, learnt from Fastify's onRoute hook, so a request that found no
 * route can be told "405, use POST" instead of "404" when only its method is wrong.
 */
export class RouteMethods {
  private readonly routes: Array<{ pattern: RegExp; method: string }> = [];

  add(url: string, methods: string | string[]): void {
    const pattern = routePattern(url);
    for (const method of Array.isArray(methods) ? methods : [methods]) {
      // HEAD routes mirror GET ones and OPTIONS is not served; neither is worth naming.
      if (method !== 'HEAD' && method !== 'OPTIONS') this.routes.push({ pattern, method });
    }
  }

  /** The methods some route takes at this path, sorted; empty when no route has the path. */
  allowedFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) methods.add(route.method);
    return [...methods].sort();
  }
}

/** Fastify's URL syntax (`/v1/models/:id`, `/v1/files*`) as a regular expression. */
export function routePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'),
    )
    .join('/');
  // Exactly: Fastify does not route a trailing slash either, so `/v1/chat/completions/` is a 404
  // (as OpenAI's own answer), never "405, use POST" to a POST.
  return new RegExp(`^${source}$`);
}
