import { Injectable } from '@nestjs/common';
import type { ApiFamily } from '../call/ended-call';
import type { ErrorEnvelope } from './answer-error';

const OPENAI: ErrorEnvelope = (error) => error.toEnvelope();

/**
 * The envelope of each API family whose clients expect their own (the Anthropic drop-in), for
 * errors raised before a controller has the request (a body that is not JSON, too large, the
 * wrong content type), which only the global filter sees. A transport registers its envelope
 * from its module; every other family answers in OpenAI's.
 */
@Injectable()
export class ErrorEnvelopes {
  private readonly byFamily = new Map<ApiFamily, ErrorEnvelope>();

  register(family: ApiFamily, envelope: ErrorEnvelope): void {
    this.byFamily.set(family, envelope);
  }

  of(family: ApiFamily | undefined): ErrorEnvelope {
    return (family && this.byFamily.get(family)) || OPENAI;
  }
}
