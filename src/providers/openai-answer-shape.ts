import { replaceKeyValue, rewriteKeptText } from '../common/http/raw-json';
import { ApiSurface, publicModelName } from './model-router';

/**
 * Groq's `service_tier` values in OpenAI's words (OpenAI's schema takes auto, default, flex,
 * scale, priority, fast): Groq's on-demand tier is OpenAI's default one.
 */
const OPENAI_SERVICE_TIER: Readonly<Record<string, string>> = {
  on_demand: 'default',
  performance: 'priority',
  flex: 'flex',
  auto: 'auto',
};

interface ChatAnswer {
  object?: unknown;
  model?: unknown;
  service_tier?: unknown;
  choices?: Array<{ message?: { content?: unknown; refusal?: unknown } }>;
}

/**
 * Gives an upstream chat answer (a completion or a chunk) the shape the client's surface promises,
 * in place, its kept text (raw-json.ts) rewritten in step:
 *  - `model` is the gateway's public name (`groq/<id>` on the OpenAI surface, bare on Groq's);
 *  - on the OpenAI surface, it conforms to OpenAI's published OpenAPI document: every message
 *    carries `refusal` and `content` (null when Groq sent none), and `service_tier` is one of
 *    OpenAI's values. The groq-sdk surface keeps Groq's own shape.
 */
export function toSurfaceShape(answer: ChatAnswer, surface: ApiSurface): void {
  if (typeof answer.model === 'string') {
    const from = answer.model;
    const to = publicModelName(from, surface);
    if (to !== from) {
      answer.model = to;
      rewriteKeptText(answer, (text) => replaceKeyValue(text, 'model', from, to, 512));
    }
  }
  if (surface !== 'openai') return;
  const tier = answer.service_tier;
  if (typeof tier === 'string' && Object.hasOwn(OPENAI_SERVICE_TIER, tier)) {
    const to = OPENAI_SERVICE_TIER[tier];
    if (to !== tier) {
      answer.service_tier = to;
      rewriteKeptText(answer, (text) => replaceKeyValue(text, 'service_tier', tier, to));
    }
  } else if (tier !== undefined && tier !== null) {
    answer.service_tier = null;
    rewriteKeptText(answer, () => undefined);
  }
  if (answer.object === 'chat.completion') completeMessages(answer);
}

/** `refusal: null` (and `content: null` when absent) on every message, as OpenAI's schema requires. */
function completeMessages(answer: ChatAnswer): void {
  const messages = (answer.choices ?? []).map((choice) => choice.message);
  if (messages.every((m) => !m || m.refusal !== undefined)) return;
  let onlyRefusal = true;
  for (const message of messages) {
    if (!message) continue;
    if (message.content === undefined) {
      message.content = null;
      onlyRefusal = false;
    }
    if (message.refusal === undefined) message.refusal = null;
  }
  rewriteKeptText(answer, (text) =>
    // Each choice's message opens with `"message":{` (a key: see replaceKeyValue), so one insert
    // per message says it; anything else is stringified anew.
    onlyRefusal
      ? insertAfterEach(text, '"message":{', '"refusal":null,', messages.length)
      : undefined,
  );
}

/**
 * `text` with `insert` after each of exactly `count` occurrences of `marker`; undefined when there
 * are more or fewer. (A split and join cost twice as much on every JSON answer when profiled.)
 */
export function insertAfterEach(
  text: string,
  marker: string,
  insert: string,
  count: number,
): string | undefined {
  let out = '';
  let done = 0;
  let found = 0;
  for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, done)) {
    if (++found > count) return undefined;
    const end = at + marker.length;
    out += text.slice(done, end) + insert;
    done = end;
  }
  return found === count ? out + text.slice(done) : undefined;
}
