import { loadRoutesConfig } from './load-routes-config';

const fast = {
  id: 'fast',
  strategy: 'adaptive',
  targets: [
    { model: 'groq/llama-3.1-8b-instant', weight: 70 },
    { model: 'openai/gpt-oss-20b', weight: 30 },
  ],
};

describe('loadRoutesConfig', () => {
  it('reads routes, with targets as public and bare Groq ids', () => {
    expect(loadRoutesConfig([fast])).toEqual([
      {
        id: 'fast',
        strategy: 'adaptive',
        targets: [
          { model: 'groq/llama-3.1-8b-instant', upstreamModel: 'llama-3.1-8b-instant', weight: 70 },
          { model: 'groq/openai/gpt-oss-20b', upstreamModel: 'openai/gpt-oss-20b', weight: 30 },
        ],
        fallbacks: [],
      },
    ]);
    expect(loadRoutesConfig(undefined)).toEqual([]);
  });

  it.each([
    [[{ ...fast, id: 'Fast/1' }], 'routes[0].id: must be lower-case'],
    [[fast, fast], "routes[1].id: 'fast' is used by another route"],
    [
      [{ ...fast, strategy: 'random' }],
      'routes[0].strategy: must be one of weighted, adaptive, ordered',
    ],
    [[{ ...fast, targets: [] }], 'routes[0].targets: must list at least one'],
    [[{ ...fast, targets: [{ model: 'groq/a', weight: 0 }] }], 'routes[0].targets[0].weight'],
    [[{ ...fast, targets: [{ model: 'groq/a' }, { model: 'a' }] }], "'a' is listed twice"],
    [
      [fast, { id: 'slow', targets: ['groq/fast'] }],
      "routes[1].targets[0].model: 'groq/fast' is a route",
    ],
    [{ fast }, 'routes: must be a list'],
  ])('refuses %j naming the setting', (raw, message) => {
    expect(() => loadRoutesConfig(raw)).toThrow(message);
  });

  it('refuses a route id that shadows a Groq model id', () => {
    expect(() =>
      loadRoutesConfig(
        [{ ...fast, id: 'llama-3.1-8b-instant' }],
        new Set(['llama-3.1-8b-instant']),
      ),
    ).toThrow("'llama-3.1-8b-instant' is a Groq model id");
  });
});
