import { GROQ_RETIREMENTS } from '../groq/groq-retirements';
import {
  buildRetirementTable,
  decideRetired,
  finalSuccessor,
  lifecycleHeaders,
  retiredModelRefusal,
} from './model-lifecycle';

const AFTER = Date.parse('2026-11-30T12:00:00Z');
const BEFORE = Date.parse('2026-08-15T23:59:59Z');
const table = buildRetirementTable(GROQ_RETIREMENTS, {});

describe('the retirement table', () => {
  it("ships Groq's 2026-08-16 retirement of the two Llama ids with their successors", () => {
    expect(table.get('llama-3.3-70b-versatile')).toMatchObject({
      retiredOn: '2026-08-16',
      successor: 'openai/gpt-oss-120b',
    });
    expect(table.get('llama-3.1-8b-instant')?.retiredOn).toBe('2026-08-16');
  });

  it('follows a chain of successors to one still served', () => {
    expect(finalSuccessor(table, 'llama3-70b-8192', AFTER)).toBe('openai/gpt-oss-120b');
    expect(finalSuccessor(table, 'mixtral-8x7b-32768', AFTER)).toBe('openai/gpt-oss-120b');
    // Before 2026-08-16 llama-3.3 itself was still served.
    expect(finalSuccessor(table, 'llama3-70b-8192', BEFORE)).toBe('llama-3.3-70b-versatile');
  });

  it('lets models.successors override a successor and add a retired id', () => {
    const custom = buildRetirementTable(GROQ_RETIREMENTS, {
      'llama-3.3-70b-versatile': 'qwen/qwen3.6-27b',
      'my-old-model': 'openai/gpt-oss-20b',
    });
    expect(finalSuccessor(custom, 'llama-3.3-70b-versatile', AFTER)).toBe('qwen/qwen3.6-27b');
    expect(custom.get('llama-3.3-70b-versatile')?.retiredOn).toBe('2026-08-16');
    expect(decideRetired(custom, 'my-old-model', 'substitute', AFTER)?.action).toBe('substitute');
  });

  it('stops on a loop instead of spinning', () => {
    const loop = buildRetirementTable([], { a: 'b', b: 'a' });
    expect(finalSuccessor(loop, 'a', AFTER)).toBeUndefined();
  });
});

describe('decideRetired', () => {
  it('knows nothing of a current model', () => {
    expect(decideRetired(table, 'openai/gpt-oss-120b', 'refuse', AFTER)).toBeUndefined();
  });

  it.each([
    ['warn', AFTER, 'forward'],
    ['substitute', AFTER, 'substitute'],
    ['refuse', AFTER, 'refuse'],
    ['substitute', BEFORE, 'forward'],
    ['refuse', BEFORE, 'forward'],
  ] as const)('policy %s at %s: %s', (policy, now, action) => {
    expect(decideRetired(table, 'llama-3.3-70b-versatile', policy, now)?.action).toBe(action);
  });

  it('warns instead of substituting when no successor is known', () => {
    const bare = buildRetirementTable([{ id: 'x', retiredOn: '2020-01-01', source: 'test' }], {});
    expect(decideRetired(bare, 'x', 'substitute', AFTER)?.action).toBe('forward');
  });
});

describe('lifecycleHeaders', () => {
  it('writes RFC 9745 Deprecation, RFC 8594 Sunset and the successor in the caller style', () => {
    const decision = decideRetired(table, 'llama-3.3-70b-versatile', 'substitute', AFTER)!;
    expect(lifecycleHeaders(decision, 'groq/llama-3.3-70b-versatile')).toEqual({
      deprecation: `@${Date.parse('2026-08-16T00:00:00Z') / 1000}`,
      sunset: 'Sun, 16 Aug 2026 00:00:00 GMT',
      link: '<https://console.groq.com/docs/deprecations>; rel="deprecation"',
      'x-gateway-model-successor': 'groq/openai/gpt-oss-120b',
      'x-gateway-model-substituted': 'groq/llama-3.3-70b-versatile -> groq/openai/gpt-oss-120b',
    });
    const bare = lifecycleHeaders(decision, 'llama-3.3-70b-versatile');
    expect(bare['x-gateway-model-successor']).toBe('openai/gpt-oss-120b');
  });

  it('refuses with 400 model_decommissioned naming the successor', () => {
    const decision = decideRetired(table, 'llama-3.1-8b-instant', 'refuse', AFTER)!;
    const error = retiredModelRefusal(decision, 'groq/llama-3.1-8b-instant');
    expect(error.status).toBe(400);
    expect(error.code).toBe('model_decommissioned');
    expect(error.param).toBe('model');
    expect(error.message).toContain('`groq/openai/gpt-oss-20b`');
    expect(error.headers['x-gateway-model-successor']).toBe('groq/openai/gpt-oss-20b');
  });
});
