import Groq from 'groq-sdk';
import { GroqEmulator } from '../emulator/emulator';

/**
 * The emulator honours `stop` as groq-sdk documents Groq's: up to 4 sequences, the answer ends
 * before the first match and leaves it out, and finish_reason is 'stop' for a natural end and a
 * stop sequence alike (which is why the Anthropic path cannot hand its stop sequences to Groq and
 * still say which one ended the answer). Driven with groq-sdk, straight at it.
 */
describe('the Groq emulator: stop sequences', () => {
  const MODEL = 'llama-3.3-70b-versatile';
  const messages = [{ role: 'user' as const, content: 'x' }];
  const FULL = `Hello from the Groq emulator (${MODEL}). You said: x`;
  let emulator: GroqEmulator;
  let groq: Groq;

  beforeAll(async () => {
    emulator = new GroqEmulator();
    groq = new Groq({
      apiKey: 'gsk_emulator_stop',
      baseURL: await emulator.start(),
      maxRetries: 0,
    });
  });
  afterAll(() => emulator.stop());

  it('ends before the earliest match, leaves it out, counts only what it wrote and says stop', async () => {
    const natural = await groq.chat.completions.create({ model: MODEL, messages });
    const stopped = await groq.chat.completions.create({
      model: MODEL,
      messages,
      stop: ['NEVER', 'You said', 'emulator', 'x'],
    });
    expect(natural.choices[0].message.content).toBe(FULL);
    expect(stopped.choices[0].message.content).toBe('Hello from the Groq ');
    expect(stopped.usage!.completion_tokens).toBeLessThan(natural.usage!.completion_tokens);
    expect(stopped.choices[0].finish_reason).toBe('stop');
    expect(natural.choices[0].finish_reason).toBe('stop');
  });

  it('streams the answer up to the match, with the shorter usage', async () => {
    const stream = await groq.chat.completions.create({
      model: MODEL,
      messages,
      stop: 'emulator',
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    let usage: { completion_tokens: number } | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.x_groq?.usage ?? usage;
    }
    expect(text).toBe('Hello from the Groq ');
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBe(4);
  });

  it('refuses a fifth sequence and a sequence that is not a string, as Groq does', async () => {
    for (const stop of [['a', 'b', 'c', 'd', 'e'], [1]]) {
      const error = await groq.chat.completions
        .create({ model: MODEL, messages, stop: stop as string[] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Groq.BadRequestError);
      expect((error as InstanceType<typeof Groq.BadRequestError>).message).toContain(
        'maximum number of items is 4',
      );
    }
  });
});
