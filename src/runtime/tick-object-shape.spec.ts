import { spawnSync } from 'node:child_process';
import { executionAsyncResource } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { pinTickObjectShape, pinnedTickObject } from './tick-object-shape';

/** The queue entry of a fresh nextTick, as its callback sees it. */
function nextTickEntry(): Promise<object> {
  return new Promise((resolve) => process.nextTick(() => resolve(executionAsyncResource())));
}

/**
 * In a fresh Node process: nextTick used, then a full GC with nothing queued, then used again;
 * answers how many of nextTick's literal-definition feedback slots V8 then reports megamorphic.
 */
function megamorphicSlotsAfterIdleGc(pin: boolean): number {
  const moduleSource = transpileModule(
    readFileSync(join(__dirname, 'tick-object-shape.ts'), 'utf8'),
    {
      compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022 },
    },
  ).outputText;
  const script = `
    const shape = new module.constructor('tick-object-shape');
    shape._compile(process.env.MODULE_SOURCE, 'tick-object-shape.js');
    if (process.env.PIN === 'yes') shape.exports.pinTickObjectShape();
    (async () => {
      for (let i = 0; i < 50; i++) await new Promise((resolve) => process.nextTick(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      for (let i = 0; i < 50; i++) await new Promise((resolve) => process.nextTick(resolve));
      %DebugPrint(process.nextTick);
    })();`;
  const child = spawnSync(
    process.execPath,
    ['--expose-gc', '--allow-natives-syntax', '-e', script],
    {
      env: { ...process.env, MODULE_SOURCE: moduleSource, PIN: pin ? 'yes' : 'no' },
      encoding: 'utf8',
    },
  );
  expect(child.status).toBe(0);
  // V8's feedback vector print: "- slot #50 DefineKeyedOwnPropertyInLiteral MONOMORPHIC {".
  const slots = child.stdout.match(/DefineKeyedOwnPropertyInLiteral \w+/g) ?? [];
  // Four on Node 20 (two computed keys, callback, args); Node 22 adds a computed key.
  expect(slots.length).toBeGreaterThanOrEqual(4);
  return slots.filter((slot) => slot.endsWith('MEGAMORPHIC')).length;
}

describe('pinTickObjectShape', () => {
  it('keeps a nextTick queue entry alive', async () => {
    pinTickObjectShape();
    pinTickObjectShape();
    await nextTickEntry();
    const keys = Reflect.ownKeys(pinnedTickObject() ?? {}).map(String);
    expect(keys).toEqual(
      expect.arrayContaining([
        'callback',
        'args',
        'Symbol(async_id_symbol)',
        'Symbol(trigger_async_id_symbol)',
      ]),
    );
  });

  it("keeps nextTick's entry literal monomorphic across a full GC with nothing queued", () => {
    // Without the pin V8 drops the entries' map and the literal goes megamorphic for good.
    expect(megamorphicSlotsAfterIdleGc(false)).toBeGreaterThan(0);
    expect(megamorphicSlotsAfterIdleGc(true)).toBe(0);
  });
});
