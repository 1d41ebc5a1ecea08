import { executionAsyncResource } from 'node:async_hooks';

let requested = false;
let pinned: object | undefined;

/**
 * Keeps one `process.nextTick` queue entry alive for the life of the process, so the hidden
 * class V8 gives those entries is never collected.
 *
 * Node's nextTick builds each entry with an object literal whose first two keys are computed
 * (`{ [async_id_symbol]: …, [trigger_async_id_symbol]: …, callback, args }`). V8 defines those
 * keys through `DefineKeyedOwnPropertyInLiteral` feedback that holds the maps weakly, and once a
 * recorded map has been collected the next call sees "a different map" and marks the site
 * megamorphic for good: every later entry is then built through the runtime. Entries are
 * short-lived, so a major GC at a moment when none is queued (V8's memory reducer runs one about
 * a second after start-up goes idle) collects their map. Measured on Node 20.20 in the gateway
 * under load: nextTick's own time went from about 0.1 to 0.5-0.8 µs per call, 17 calls per
 * request (stream and socket internals), about 17 µs of a chat call's CPU. A live entry keeps
 * its map, and the maps it was built through, alive, so the feedback stays monomorphic.
 *
 * Call it before the process has run much (main.ts does, first thing, at top level): a site that
 * has gone megamorphic stays so. Not inside an AsyncLocalStorage `run`: on Node versions where the
 * entry carries the async context frame, the pinned entry would keep that store alive.
 */
export function pinTickObjectShape(): void {
  if (requested) return;
  requested = true;
  process.nextTick(() => {
    // Inside a nextTick callback the current async resource is the queue entry itself.
    pinned = executionAsyncResource();
  });
}

/** The pinned entry, once the tick has run (for the spec). */
export function pinnedTickObject(): object | undefined {
  return pinned;
}
