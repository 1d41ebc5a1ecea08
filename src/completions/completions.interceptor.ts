import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import type { ChatCompletion } from '../providers/chat-types';
import { chatToTextCompletion } from './completions.converter';

/** The way back from chat: a chat completion answered as a text completion. */
@Injectable()
export class CompletionsInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return (next.handle() as Observable<ChatCompletion>).pipe(map(chatToTextCompletion));
  }
}
