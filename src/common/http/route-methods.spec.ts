import { RouteMethods, routePattern } from './route-methods';

describe('RouteMethods', () => {
  const routes = new RouteMethods();
  routes.add('/v1/chat/completions', 'POST');
  routes.add('/v1/models', ['GET', 'HEAD']);
  routes.add('/v1/models/:id', 'GET');
  routes.add('/admin/keys/:id', ['GET', 'DELETE']);

  it('names the methods a path takes', () => {
    expect(routes.allowedFor('/v1/chat/completions')).toEqual(['POST']);
    expect(routes.allowedFor('/v1/models')).toEqual(['GET']);
    expect(routes.allowedFor('/admin/keys/vk_1')).toEqual(['DELETE', 'GET']);
  });

  it('knows nothing of paths no route has', () => {
    expect(routes.allowedFor('/v1/nothing')).toEqual([]);
    expect(routes.allowedFor('/v1/models/a/b')).toEqual([]);
    // Fastify routes no trailing slash: such a path is unknown, whatever its method.
    expect(routes.allowedFor('/v1/chat/completions/')).toEqual([]);
    expect(routes.allowedFor('/v1/models/')).toEqual([]);
  });
});

describe('routePattern', () => {
  it('reads parameters and wildcards', () => {
    expect(routePattern('/v1/models/:id').test('/v1/models/groq%2Fllama')).toBe(true);
    expect(routePattern('/v1/files*').test('/v1/files/abc/content')).toBe(true);
    expect(routePattern('/v1/files*').test('/v1/filesystem')).toBe(true);
    expect(routePattern('/v1.0/x').test('/v1a0/x')).toBe(false);
  });
});
