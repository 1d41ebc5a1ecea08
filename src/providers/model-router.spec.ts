import { GatewayError } from '../common/errors/gateway-error';
import { bareModelId, publicGroqModelId, routeModel } from './model-router';

describe('routeModel', () => {
  it('sends groq/<id> to Groq as <id>', () => {
    expect(routeModel('groq/llama-3.3-70b-versatile')).toEqual({
      provider: 'groq',
      upstreamModel: 'llama-3.3-70b-versatile',
      requestedModel: 'groq/llama-3.3-70b-versatile',
    });
  });

  it('keeps the rest of a namespaced id after the groq/ prefix', () => {
    expect(routeModel('groq/openai/gpt-oss-120b').upstreamModel).toBe('openai/gpt-oss-120b');
  });

  it("sends Compound's ids whole: groq/compound and groq/groq/compound alike", () => {
    expect(routeModel('groq/compound').upstreamModel).toBe('groq/compound');
    expect(routeModel('groq/groq/compound').upstreamModel).toBe('groq/compound');
    expect(routeModel('groq/groq/compound-mini').upstreamModel).toBe('groq/compound-mini');
    expect(bareModelId('groq/compound-mini')).toBe('groq/compound-mini');
    expect(publicGroqModelId('groq/compound')).toBe('groq/compound');
  });

  it('sends a model without a known provider prefix to Groq whole', () => {
    expect(routeModel('openai/gpt-oss-120b').upstreamModel).toBe('openai/gpt-oss-120b');
    expect(routeModel('llama-3.1-8b-instant').upstreamModel).toBe('llama-3.1-8b-instant');
  });

  it('refuses groq/ with no model, naming the param', () => {
    expect(() => routeModel('groq/')).toThrow(GatewayError);
    try {
      routeModel('groq/', {}, 'model');
    } catch (error) {
      expect((error as GatewayError).param).toBe('model');
      expect((error as GatewayError).status).toBe(400);
    }
  });

  it('refuses a blank model', () => {
    expect(() => routeModel('   ')).toThrow(/non-empty/);
  });

  it('resolves a configured alias before routing', () => {
    const route = routeModel('claude-3-5-sonnet-20241022', {
      'claude-3-5-sonnet-20241022': 'groq/llama-3.3-70b-versatile',
    });
    expect(route.upstreamModel).toBe('llama-3.3-70b-versatile');
    expect(route.requestedModel).toBe('claude-3-5-sonnet-20241022');
  });

  it('refuses an unmapped Claude model and says how to map it', () => {
    expect(() => routeModel('claude-sonnet-4-5')).toThrow(/modelAliases/);
  });

  it('lists Groq ids under groq/', () => {
    expect(publicGroqModelId('qwen/qwen3-32b')).toBe('groq/qwen/qwen3-32b');
  });
});

describe('routeModel refuses ids that could not be a model', () => {
  it.each([
    ['a line break (header injection)', 'groq/llama\r\nset-cookie: a=b'],
    ['a NUL', 'groq/llama\u0000'],
    ['a space inside', 'groq/llama 3'],
    ['non-ASCII', 'groq/é'],
    ['over 256 characters', `groq/${'a'.repeat(260)}`],
  ])('%s', (_name, model) => {
    expect(() => routeModel(model)).toThrow(
      expect.objectContaining({ status: 400, param: 'model', code: 'invalid_model' }),
    );
  });

  it('keeps namespaced Groq ids', () => {
    expect(routeModel('groq/meta-llama/llama-4-scout-17b-16e-instruct').upstreamModel).toBe(
      'meta-llama/llama-4-scout-17b-16e-instruct',
    );
  });
});

describe('routeModel remembers what it worked out', () => {
  it('routes a model string once per alias table, and refuses a bad one every time', () => {
    const aliases = { fast: 'groq/llama-3.1-8b-instant' };
    const first = routeModel('fast', aliases);
    expect(routeModel('fast', aliases)).toBe(first);
    expect(routeModel('fast', { fast: 'groq/qwen/qwen3-32b' }).upstreamModel).toBe(
      'qwen/qwen3-32b',
    );
    expect(routeModel('fast').upstreamModel).toBe('fast');
    for (let i = 0; i < 2; i++)
      expect(() => routeModel('groq/', aliases, 'fallbacks')).toThrow(/no model/);
  });

  it('stays right past the number of names it keeps', () => {
    for (let i = 0; i < 3000; i++) {
      expect(routeModel(`groq/m-${i}`).upstreamModel).toBe(`m-${i}`);
    }
  });
});
