import { Controller, Get, Param } from '@nestjs/common';
import type { GroqModel } from '../providers/groq/groq-model';
import type { ModelList } from './models.mapper';
import { ModelsService } from './models.service';

@Controller()
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  @Get(['v1/models', 'openai/v1/models'])
  async list(): Promise<ModelList> {
    return { object: 'list', data: await this.models.list('gateway') };
  }

  /** Ids hold slashes (`groq/openai/gpt-oss-120b`), raw or URL-encoded: the rest of the path. */
  @Get(['v1/models/*', 'openai/v1/models/*'])
  retrieve(@Param('*') id: string): Promise<GroqModel> {
    return this.models.get(safeDecode(id), 'gateway');
  }

  /** The groq-sdk drop-in (`baseURL: http://<gateway>/groq`) sees Groq's own ids. */
  @Get('groq/openai/v1/models')
  async listForGroqSdk(): Promise<ModelList> {
    return { object: 'list', data: await this.models.list('groq') };
  }

  @Get('groq/openai/v1/models/*')
  retrieveForGroqSdk(@Param('*') id: string): Promise<GroqModel> {
    return this.models.get(safeDecode(id), 'groq');
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
