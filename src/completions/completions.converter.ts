import { invalidRequest } from '../common/errors/gateway-error';
import type { ChatCompletion, ChatRequest } from '../providers/chat-types';
import type { CompletionRequest, TextCompletion } from './completions-types';

/** Completion parameters carried over to chat as they are. */
const CARRIED = ['max_tokens', 'temperature', 'top_p', 'stop', 'user'] as const;
/** Parameters whose neutral values are accepted and not sent. */
const HANDLED = new Set([
  'model',
  'prompt',
  'n',
  'stream',
  'echo',
  'suffix',
  'best_of',
  'logprobs',
  ...CARRIED,
]);

export interface ConvertedCompletionRequest {
  chat: ChatRequest;
  dropped: string[];
}

/**
 * A text completion as one chat call: the prompt becomes one user message. Pure. What a chat
 * model cannot do (several choices, echo, suffix, logprobs, streaming here) is a 400 naming it.
 */
export function completionToChat(request: CompletionRequest): ConvertedCompletionRequest {
  if (request.n !== undefined && request.n !== 1)
    throw invalidRequest('n must be 1: the chat conversion returns one choice', 'n');
  if (request.best_of !== undefined && request.best_of !== 1)
    throw invalidRequest(
      'best_of must be 1: the chat conversion cannot rank several generations',
      'best_of',
    );
  if (request.stream === true)
    throw invalidRequest(
      'stream is not supported for converted text completions; use /v1/chat/completions to stream',
      'stream',
    );
  if (request.echo === true)
    throw invalidRequest('echo is not supported for converted text completions', 'echo');
  if (request.suffix !== undefined && request.suffix !== null && request.suffix !== '')
    throw invalidRequest('suffix is not supported for converted text completions', 'suffix');
  if (request.logprobs !== undefined && request.logprobs !== null)
    throw invalidRequest('logprobs is not supported by the groq provider', 'logprobs');

  const chat: ChatRequest = {
    model: request.model,
    messages: [{ role: 'user', content: promptText(request.prompt) }],
  };
  for (const name of CARRIED) if (request[name] !== undefined) chat[name] = request[name];
  const dropped = Object.keys(request).filter((name) => !HANDLED.has(name));
  return { chat, dropped };
}

function promptText(prompt: string | unknown[]): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  throw invalidRequest(
    prompt.length !== 1
      ? `prompt must be a string or an array of exactly one string, got ${prompt.length} items: send one request per prompt`
      : 'prompt must be text; token-id prompts are not supported',
    'prompt',
  );
}

/** A chat completion as a text completion. Pure. */
export function chatToTextCompletion(completion: ChatCompletion): TextCompletion {
  const choice = completion.choices[0];
  const result: TextCompletion = {
    id: `cmpl-${completion.id.replace(/^chatcmpl-/, '')}`,
    object: 'text_completion',
    created: completion.created,
    model: completion.model,
    choices: [
      {
        text: choice?.message.content ?? '',
        index: 0,
        logprobs: null,
        finish_reason: choice?.finish_reason ?? null,
      },
    ],
  };
  if (typeof completion.system_fingerprint === 'string')
    result.system_fingerprint = completion.system_fingerprint;
  if (completion.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = completion.usage;
    result.usage = { prompt_tokens, completion_tokens, total_tokens };
  }
  return result;
}
