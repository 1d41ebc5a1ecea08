import Groq from 'groq-sdk';
import { GroqEmulator } from '../emulator/emulator';

/**
 * The emulator counts Groq's per-minute token limit for each key and model, as Groq does: a key
 * that spent a model's tokens still serves the others. Driven with groq-sdk, straight at it.
 */
describe('the Groq emulator: rate limits per key and model', () => {
  const KEY = 'gsk_emulator_limits';
  const SPENT = 'llama-3.1-8b-instant';
  const OTHER = 'openai/gpt-oss-20b';
  let emulator: GroqEmulator;
  let groq: Groq;

  beforeAll(async () => {
    emulator = new GroqEmulator({ tokensPerMinute: { [KEY]: 60 } });
    groq = new Groq({ apiKey: KEY, baseURL: await emulator.start(), maxRetries: 0 });
  });
  afterAll(() => emulator.stop());

  const ask = (model: string) =>
    groq.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'a few words, please' }] })
      .withResponse();

  it('answers 429 for the model whose tokens are spent, naming it, and 200 for another', async () => {
    let limited: unknown;
    for (let i = 0; i < 20 && !limited; i++) await ask(SPENT).catch((error) => (limited = error));
    expect(limited).toBeInstanceOf(Groq.RateLimitError);
    const error = limited as InstanceType<typeof Groq.RateLimitError>;
    expect(error.status).toBe(429);
    expect(error.message).toContain(`model \`${SPENT}\``);
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);

    const { data, response } = await ask(OTHER);
    expect(data.model).toBe(OTHER);
    const remaining = Number(response.headers.get('x-ratelimit-remaining-tokens'));
    expect(remaining).toBe(60 - data.usage!.total_tokens);
  });
});
