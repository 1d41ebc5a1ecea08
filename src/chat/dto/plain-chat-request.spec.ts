import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ChatCompletionRequestDto } from './chat-completion-request.dto';
import { isPlainChatRequest } from './plain-chat-request';

const dtoAccepts = (body: Record<string, unknown>) =>
  validateSync(plainToInstance(ChatCompletionRequestDto, body), { forbidUnknownValues: false })
    .length === 0;

/** A small deterministic generator (mulberry32), so a failure is reproducible from its seed. */
function random(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  '',
  'x',
  0,
  -1,
  0.5,
  1,
  1.5,
  2,
  2.5,
  3,
  1e9,
  true,
  false,
  [],
  {},
  [1],
  { a: 1 },
  'groq/llama-3.3-70b-versatile',
];
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'robot', '', 1, null];
const FIELDS = ['stream', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'user'];
const OTHER_FIELDS = ['n', 'tools', 'stop'];

function randomBody(next: () => number): Record<string, unknown> {
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)];
  const body: Record<string, unknown> = {};
  if (next() < 0.9) body.model = next() < 0.8 ? 'groq/llama-3.3-70b-versatile' : pick(ODD_VALUES);
  if (next() < 0.95) {
    body.messages =
      next() < 0.9
        ? Array.from({ length: Math.floor(next() * 3) + (next() < 0.9 ? 1 : 0) }, () => {
            const message: Record<string, unknown> = {};
            if (next() < 0.97) message.role = next() < 0.8 ? 'user' : pick(ROLES);
            if (next() < 0.9) message.content = next() < 0.7 ? 'Hello' : pick(ODD_VALUES);
            if (next() < 0.05) message.name = 'n';
            return next() < 0.97 ? message : pick(ODD_VALUES);
          })
        : pick(ODD_VALUES);
  }
  for (const field of FIELDS) if (next() < 0.25) body[field] = pick(ODD_VALUES);
  for (const field of OTHER_FIELDS) if (next() < 0.03) body[field] = pick(ODD_VALUES);
  return body;
}

describe('isPlainChatRequest', () => {
  it('takes the common request', () => {
    expect(
      isPlainChatRequest({
        model: 'groq/llama-3.3-70b-versatile',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'user', content: 'Hello' },
        ],
        temperature: 0.2,
        max_tokens: 100,
        stream: true,
      }),
    ).toBe(true);
  });

  it('leaves anything unusual to the DTO', () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    expect(isPlainChatRequest({ ...base, tools: [] })).toBe(false);
    expect(isPlainChatRequest({ ...base, temperature: null })).toBe(false);
    expect(isPlainChatRequest({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toBe(false);
    expect(isPlainChatRequest({ ...base, messages: [{ role: 'user', content: [] }] })).toBe(false);
  });

  it('never accepts what the DTO refuses (20,000 generated bodies)', () => {
    const next = random(20261124);
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const body = randomBody(next);
      if (!isPlainChatRequest(body)) continue;
      accepted++;
      if (!dtoAccepts(body))
        throw new Error(`fast path took a body the DTO refuses: ${JSON.stringify(body)}`);
    }
    // The generator must reach the fast path often enough for the test to mean something.
    expect(accepted).toBeGreaterThan(500);
  });
});
