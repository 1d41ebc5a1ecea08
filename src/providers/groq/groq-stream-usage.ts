import { Observable, OperatorFunction } from 'rxjs';
import type { ChatCompletionChunk, ChatUsage } from '../chat-types';
import { ForwardedChunk } from '../upstream/forwarded-chunk';

/**
 * Groq reports streamed usage in the finish chunk (`x_groq.usage`). With
 * `stream_options.include_usage` OpenAI clients expect one more chunk with `choices: []` and
 * `usage`; this operator adds it, built from Groq's numbers.
 */
export function appendOpenAiUsageChunk<
  C extends ChatCompletionChunk | ForwardedChunk,
>(): OperatorFunction<C, C | ChatCompletionChunk> {
  return (source) =>
    new Observable<C | ChatCompletionChunk>((subscriber) => {
      // The stream's id, created, model and fingerprint as Groq sent them, copied from its first
      // parsed chunk (a forwarded one carries no usage). Not the chunk itself: it is renamed in
      // place downstream (the public model name), and a usage chunk made from it then would be
      // renamed a second time (`groq/groq/...`).
      let identity: StreamIdentity | undefined;
      let usage: ChatUsage | undefined;
      let usageChunkSeen = false;
      const subscription = source.subscribe({
        next(chunk) {
          if (!(chunk instanceof ForwardedChunk)) {
            identity ??= identityOf(chunk);
            const found = chunk.x_groq?.usage ?? chunk.usage ?? undefined;
            if (found) usage = found;
            if (chunk.choices.length === 0 && chunk.usage) usageChunkSeen = true;
          }
          subscriber.next(chunk);
        },
        error: (error: unknown) => subscriber.error(error),
        complete() {
          if (identity && usage && !usageChunkSeen) subscriber.next(usageChunk(identity, usage));
          subscriber.complete();
        },
      });
      return () => subscription.unsubscribe();
    });
}

type StreamIdentity = Pick<ChatCompletionChunk, 'id' | 'created' | 'model' | 'system_fingerprint'>;

function identityOf(chunk: ChatCompletionChunk): StreamIdentity {
  const { id, created, model, system_fingerprint } = chunk;
  return { id, created, model, system_fingerprint };
}

export function usageChunk(template: StreamIdentity, usage: ChatUsage): ChatCompletionChunk {
  const chunk: ChatCompletionChunk = {
    id: template.id,
    object: 'chat.completion.chunk',
    created: template.created,
    model: template.model,
    choices: [],
    usage,
  };
  if (template.system_fingerprint !== undefined)
    chunk.system_fingerprint = template.system_fingerprint;
  return chunk;
}
