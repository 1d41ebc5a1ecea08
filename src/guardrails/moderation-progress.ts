import type { CallProgress } from '../providers/call-progress';
import type { ChatUsage } from '../providers/chat-types';
import type { GroqChatRequest } from '../providers/groq/groq-chat-parameters';
import { estimateRequestTokens } from '../providers/token-estimate';
import type { ServedBy } from '../providers/reliability/attempts';

/**
 * A moderation call's own progress on the upstream path: the client's call keeps its model,
 * key and usage; this one keeps the safety model's, for the latency and the tokens to charge.
 */
export class ModerationProgress implements CallProgress {
  usage?: ChatUsage;
  servedBy?: ServedBy;
  private upstream?: GroqChatRequest;

  constructor(readonly upstreamHeaders: Record<string, string> = {}) {}

  prepared(upstream: GroqChatRequest): void {
    this.upstream = upstream;
  }

  estimateRequestTokens(): number {
    return this.upstream ? estimateRequestTokens(this.upstream.body) : 0;
  }

  onUpstreamStart(): void {}

  onUpstreamAnswer(): void {}

  onServed(servedBy: ServedBy): void {
    this.servedBy = servedBy;
  }

  onRetry(): void {}

  onFallback(): void {}

  onUsage(usage: ChatUsage): void {
    this.usage = usage;
  }
}
