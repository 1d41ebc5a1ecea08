import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { backportAsyncResourceBind } from './async-resource-bind';

describe('backportAsyncResourceBind', () => {
  const original = AsyncResource.prototype.bind;
  afterAll(() => {
    AsyncResource.prototype.bind = original;
  });

  it('replaces the bind that builds a deprecated getter per call, once', () => {
    const hadGetter = Object.prototype.hasOwnProperty.call(
      new AsyncResource('t').bind(() => undefined),
      'asyncResource',
    );
    expect(backportAsyncResourceBind()).toBe(hadGetter);
    expect(backportAsyncResourceBind()).toBe(false);
    expect(new AsyncResource('t').bind(() => undefined)).not.toHaveProperty('asyncResource');
  });

  it('keeps the async context of where it was bound, as Node does', async () => {
    backportAsyncResourceBind();
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () => AsyncResource.bind(() => storage.getStore()));
    const later = await storage.run('request-2', () => Promise.resolve().then(bound));
    expect(later).toBe('request-1');
  });

  it('keeps this, arguments, return value and length', () => {
    backportAsyncResourceBind();
    const resource = new AsyncResource('t');
    function add(this: { base: number }, a: number, b: number) {
      return this.base + a + b;
    }
    type Add = (this: { base: number } | void, a: number, b: number) => number;
    const unbound = resource.bind(add as Add);
    expect(unbound.length).toBe(2);
    expect(unbound.call({ base: 1 }, 2, 3)).toBe(6);
    // Node takes a thisArg too; @types/node does not declare it.
    const bindWithThis = resource.bind as unknown as (
      fn: Add,
      thisArg: object,
    ) => (a: number, b: number) => number;
    const withThis = bindWithThis.call(resource, add as Add, { base: 10 });
    expect(withThis(2, 3)).toBe(15);
    expect(() => resource.bind('nope' as never)).toThrow(TypeError);
  });
});
