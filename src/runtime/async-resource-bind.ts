import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource#bind` defines a deprecated `asyncResource` getter (DEP0172) on every
 * function it returns, building a `deprecate()` wrapper each time. Fastify's body parser and
 * Nest's interceptor chain call it several times per request: in a CPU profile of the gateway it
 * was about 3.5 % of all CPU. Node removed the property (nodejs/node#58618); this installs the same
 * `bind` as Node's current one (same async scope, same `this`, same `length`) where the old one is
 * still in place. No dependency reads the removed property.
 *
 * Returns whether it replaced the method.
 */
export function backportAsyncResourceBind(): boolean {
  const probe = new AsyncResource('groq-gateway:probe').bind(() => undefined);
  if (!Object.prototype.hasOwnProperty.call(probe, 'asyncResource')) return false;
  // A plain function: `this` is the resource bind is called on, as with Node's own method.
  function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
    if (typeof fn !== 'function') {
      throw new TypeError('The "fn" argument must be of type function');
    }
    const run = this.runInAsyncScope.bind(this) as (
      fn: (...args: unknown[]) => unknown,
      self: unknown,
      ...args: unknown[]
    ) => unknown;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return run(fn, this, ...args);
          }
        : (...args: unknown[]) => run(fn, thisArg, ...args);
    Object.defineProperty(bound, 'length', {
      configurable: true,
      enumerable: false,
      value: fn.length,
      writable: false,
    });
    return bound;
  }
  AsyncResource.prototype.bind = bind as unknown as AsyncResource['bind'];
  return true;
}
