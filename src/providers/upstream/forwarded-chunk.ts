import { JsonText } from '../../common/http/raw-json';

const MODEL_KEY = '"model":"';
/** One regular-expression pass: a third of two `includes` scans' time on Groq's chunks. */
const READ_BY_THE_GATEWAY = /"(?:usage|service_tier)"/;
/** Groq writes its top-level fields first (id, object, created, model): the model is in the head. */
const MODEL_WITHIN = 512;

/**
 * An upstream stream chunk forwarded as the text it came in, never parsed: parsing every chunk
 * was most of a plain stream's own CPU. Only its `model` is read, from the text's head, and renamed
 * in the text. Made only where nothing reads the chunks (chat's own route with no output
 * guardrail) and only for chunks without usage (see `of`).
 */
export class ForwardedChunk extends JsonText {
  private constructor(
    text: string,
    public model: string,
    /** Where the model's value starts in the text. */
    private readonly modelAt: number,
  ) {
    super(text);
    this.modelLength = model.length;
  }

  /** The length of the model's value as written in the text (escaped). */
  private modelLength: number;

  /**
   * The chunk forwarded, or undefined when it must be parsed: it carries usage (read for the
   * call's usage and cost, and given its cost) or a service tier (rewritten on the OpenAI
   * surface), or its model cannot be read plainly from its head. A JSON string cannot hold an
   * unescaped `":`, so `"model":"` is always a key; the first in the head is the top-level one.
   */
  static of(text: string): ForwardedChunk | undefined {
    if (READ_BY_THE_GATEWAY.test(text)) return undefined;
    const at = text.indexOf(MODEL_KEY);
    if (at === -1 || at > MODEL_WITHIN) return undefined;
    const start = at + MODEL_KEY.length;
    const end = text.indexOf('"', start);
    if (end === -1) return undefined;
    const model = text.slice(start, end);
    if (model === '' || model.includes('\\')) return undefined;
    return new ForwardedChunk(text, model, start);
  }

  /** Names another model in the chunk (the gateway's public name for it). */
  renameModel(to: string): void {
    if (to === this.model) return;
    const escaped = to === lastName ? lastEscaped : escapedOnce(to);
    this.text =
      this.text.slice(0, this.modelAt) + escaped + this.text.slice(this.modelAt + this.modelLength);
    this.model = to;
    this.modelLength = escaped.length;
  }
}

// Every chunk of a stream gets the same name: it is escaped once.
let lastName = '';
let lastEscaped = '';

function escapedOnce(name: string): string {
  lastName = name;
  lastEscaped = JSON.stringify(name).slice(1, -1);
  return lastEscaped;
}
