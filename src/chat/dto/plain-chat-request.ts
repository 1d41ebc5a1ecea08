import { isTokenCount } from '../../common/validation/token-limits';
const FAST_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'user',
]);
const FAST_ROLES = new Set(['system', 'developer', 'user', 'assistant']);

/**
 * The common chat request (text messages, a few sampling fields) checked in one pass, so the
 * class-validator DTO, which costs several times as much, runs only for the rest. Strictly
 * narrower than ChatCompletionRequestDto: whatever this accepts the DTO accepts (a property test
 * holds it to that); anything it is unsure of goes to the DTO, which also words the errors.
 */
export function isPlainChatRequest(body: Record<string, unknown>): boolean {
  for (const key in body) {
    if (!FAST_FIELDS.has(key)) return false;
  }
  if (typeof body.model !== 'string' || body.model.length === 0) return false;
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return false;
    let fields = 0;
    for (const key in message) {
      if (key !== 'role' && key !== 'content') return false;
      fields++;
    }
    const { role, content } = message as { role?: unknown; content?: unknown };
    if (fields !== 2 || typeof role !== 'string' || !FAST_ROLES.has(role)) return false;
    if (typeof content !== 'string') return false;
  }
  return (
    optional(body.stream, (v) => typeof v === 'boolean') &&
    optional(body.temperature, (v) => inRange(v, 2)) &&
    optional(body.top_p, (v) => inRange(v, 1)) &&
    optional(body.max_tokens, isTokenCount) &&
    optional(body.max_completion_tokens, isTokenCount) &&
    optional(body.user, (v) => typeof v === 'string')
  );
}

/** Absent passes; null goes to the DTO (its @IsOptional rules decide). */
function optional(value: unknown, check: (value: unknown) => boolean): boolean {
  return value === undefined || (value !== null && check(value));
}

function inRange(value: unknown, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= max;
}
