import type { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../../config/gateway-config';
import { ModelLifecycleService } from './model-lifecycle.service';

const AFTER = Date.parse('2026-11-30T12:00:00Z');
const BEFORE = Date.parse('2026-08-15T23:59:59Z');
const DAY_OF = Date.parse('2026-08-16T00:00:00Z');

function service(onRetired: 'warn' | 'substitute' = 'substitute'): ModelLifecycleService {
  const config = {
    get: () => ({ governance: { retiredModels: { onRetired, successors: {} } } }),
  } as unknown as ConfigService<AllConfig, true>;
  return new ModelLifecycleService(config);
}

describe('ModelLifecycleService decisions', () => {
  it('decides once per id and policy, and headers once per model as asked', () => {
    const lifecycle = service();
    const first = lifecycle.decide('llama-3.3-70b-versatile', undefined, AFTER);
    expect(first).toMatchObject({ action: 'substitute', successor: 'openai/gpt-oss-120b' });
    expect(lifecycle.decide('llama-3.3-70b-versatile', undefined, AFTER + 1000)).toBe(first);
    expect(lifecycle.decide('llama-3.3-70b-versatile', 'warn', AFTER)?.action).toBe('forward');
    const headers = lifecycle.headersFor(first!, 'groq/llama-3.3-70b-versatile');
    expect(headers['x-gateway-model-substituted']).toBe(
      'groq/llama-3.3-70b-versatile -> groq/openai/gpt-oss-120b',
    );
    expect(lifecycle.headersFor(first!, 'groq/llama-3.3-70b-versatile')).toBe(headers);
    expect(
      lifecycle.headersFor(first!, 'llama-3.3-70b-versatile')['x-gateway-model-successor'],
    ).toBe('openai/gpt-oss-120b');
  });

  it('decides anew when a retirement day comes, and for an id learnt from Groq', () => {
    const lifecycle = service();
    expect(lifecycle.decide('llama-3.3-70b-versatile', undefined, BEFORE)?.action).toBe('forward');
    expect(lifecycle.decide('llama-3.3-70b-versatile', undefined, DAY_OF)?.action).toBe(
      'substitute',
    );
    expect(lifecycle.decide('not-in-the-table', undefined, AFTER)).toBeUndefined();
    lifecycle.learn('not-in-the-table', AFTER);
    expect(lifecycle.decide('not-in-the-table', undefined, AFTER)?.retirement.source).toContain(
      'learnt',
    );
  });
});
