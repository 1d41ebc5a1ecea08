import { Controller, Get } from '@nestjs/common';
import { Requires } from '../auth/requires.decorator';
import { GroqService } from '../providers/groq/groq.service';

/**
 * `GET /admin/groq-keys`: the Groq key pool's live state on this replica (health, rests after a
 * 429, breakers, Groq's remaining requests and tokens): key ids only, never a key's value.
 */
@Controller('admin')
export class GroqKeysController {
  constructor(private readonly groq: GroqService) {}

  @Get('groq-keys')
  @Requires('config.read')
  list() {
    return { object: 'list', data: this.groq.keys.status() };
  }
}
