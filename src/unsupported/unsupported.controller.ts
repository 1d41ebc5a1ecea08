import { All, Controller } from '@nestjs/common';
import { unsupportedOperation } from '../common/errors/gateway-error';
import { unsupportedRoutePaths } from './unsupported-operations';

/**
 * OpenAI endpoints the groq provider does not serve: a clear 400 `unsupported_operation` for every
 * method, never a 404 that looks like a typo in the client's base URL.
 */
@Controller()
export class UnsupportedController {
  @All(unsupportedRoutePaths(['embeddings']))
  embeddings(): never {
    throw unsupportedOperation('embeddings');
  }

  @All(unsupportedRoutePaths(['images/*']))
  images(): never {
    throw unsupportedOperation('images');
  }

  @All(unsupportedRoutePaths(['audio/speech']))
  speech(): never {
    throw unsupportedOperation('audio speech');
  }

  @All(unsupportedRoutePaths(['audio/transcriptions']))
  transcriptions(): never {
    throw unsupportedOperation('audio transcriptions');
  }

  @All(unsupportedRoutePaths(['audio/translations']))
  translations(): never {
    throw unsupportedOperation('audio translations');
  }

  @All(unsupportedRoutePaths(['files', 'files/*']))
  files(): never {
    throw unsupportedOperation('files');
  }

  @All(unsupportedRoutePaths(['batches', 'batches/*']))
  batches(): never {
    throw unsupportedOperation('batches');
  }
}
