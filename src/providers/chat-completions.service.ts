import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AllConfig } from '../config/gateway-config';
import type { Observable } from 'rxjs';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from './chat-types';
import { toGroqChatRequest, type GroqChatRequest } from './groq/groq-chat-parameters';
import { GroqService } from './groq/groq.service';
import { routeModel } from './model-router';

/** A chat call ready to send: what goes upstream, and what the gateway changed on the way. */
export type PreparedChat = GroqChatRequest;

/**
 * The gateway's one upstream path. Chat, Responses, text completions and the Anthropic drop-in
 * all become a chat request and come through here.
 */
@Injectable()
export class ChatCompletionsService {
  private readonly aliases: Readonly<Record<string, string>>;

  constructor(
    private readonly groq: GroqService,
    config: ConfigService<AllConfig, true>,
  ) {
    this.aliases = config.get('gateway', { infer: true }).modelAliases;
  }

  /** Routes the model and applies the provider's parameter rules; throws 400s before any I/O. */
  prepare(request: ChatRequest): PreparedChat {
    return toGroqChatRequest(request, routeModel(request.model, this.aliases));
  }

  complete(prepared: PreparedChat): Observable<ChatCompletion> {
    return this.groq.chatCompletion({
      ...prepared,
      stream: false,
      body: { ...prepared.body, stream: false },
    });
  }

  stream(prepared: PreparedChat): Observable<ChatCompletionChunk> {
    return this.groq.chatCompletionStream({
      ...prepared,
      stream: true,
      body: { ...prepared.body, stream: true },
    });
  }
}
