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

  /**
   * Characters of generated text the chunk carries (its delta's content, reasoning and tool-call
   * arguments, escapes as written), read from the text without parsing it: what a stream the
   * client leaves is charged for (docs/budgets.md). Runs on every forwarded chunk, so the common
   * one, a content delta where the last chunk's delta was, costs one short `startsWith` and a
   * loop over the content; other layouts are searched.
   */
  textLength(): number {
    const text = this.text;
    // A stream's chunks (and other streams' of the same model) put their delta at the same place,
    // most of them a content delta: one short comparison finds it. Only a delta opens with
    // `{"content":"`, so that is all that is compared.
    let start = lastDeltaAt + OPEN_CONTENT.length;
    if (!text.startsWith(OPEN_CONTENT, lastDeltaAt)) {
      const key = text.indexOf(DELTA_KEY, this.modelAt);
      if (key === -1) return 0;
      // The delta's opening brace.
      const at = key + DELTA_KEY.length - 1;
      lastDeltaAt = at;
      // An empty delta (the last chunk), or another layout: reasoning, the role first, tool calls.
      if (text.startsWith(OPEN_CONTENT, at)) start = at + OPEN_CONTENT.length;
      else if (text.charCodeAt(at + 1) === CLOSE_BRACE) return 0;
      else if (text.startsWith(REASONING_KEY, at + 1)) start = at + 1 + REASONING_KEY.length;
      else return searchedTextLength(text, at);
    }
    const end = stringEnd(text, start);
    // Anything after the first member (content and reasoning in one delta) is searched.
    return text.charCodeAt(end + 1) === CLOSE_BRACE
      ? end - start
      : end - start + searchedTextLength(text, end);
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

const DELTA_KEY = '"delta":{';
const OPEN_CONTENT = '{"content":"';
const CONTENT_KEY = '"content":"';
const REASONING_KEY = '"reasoning":"';
const ARGUMENTS_KEY = '"arguments":"';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSE_BRACE = 0x7d;
let lastDeltaAt = 0;

/** The generated text's length in the members at or after `from`, found by search. */
function searchedTextLength(text: string, from: number): number {
  return (
    stringLengthAfter(text, CONTENT_KEY, from) +
    stringLengthAfter(text, REASONING_KEY, from) +
    stringLengthAfter(text, ARGUMENTS_KEY, from)
  );
}

/**
 * The length, as written, of the string value of the first `key` (`"name":"`) at or after `from`;
 * 0 when there is none. A JSON string holds no unescaped `"`, so the key is never inside a value.
 */
function stringLengthAfter(text: string, key: string, from: number): number {
  const at = text.indexOf(key, from);
  if (at === -1) return 0;
  const start = at + key.length;
  return stringEnd(text, start) - start;
}

/** Where the JSON string whose characters start at `start` ends (its closing quote). */
function stringEnd(text: string, start: number): number {
  let end = start;
  for (let c = text.charCodeAt(end); end < text.length && c !== QUOTE; c = text.charCodeAt(end))
    end += c === BACKSLASH ? 2 : 1;
  return end;
}

// Every chunk of a stream gets the same name: it is escaped once.
let lastName = '';
let lastEscaped = '';

function escapedOnce(name: string): string {
  lastName = name;
  lastEscaped = JSON.stringify(name).slice(1, -1);
  return lastEscaped;
}
