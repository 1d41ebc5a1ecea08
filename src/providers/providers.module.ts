import { Module } from '@nestjs/common';
import { ChatCompletionsService } from './chat-completions.service';
import { GroqService } from './groq/groq.service';
import { SharedKeyRests } from './keys/shared-key-rests';
import { ModelLifecycleService } from './lifecycle/model-lifecycle.service';

/** Upstream providers. Today: Groq. Everything provider-specific lives below this folder. */
@Module({
  providers: [GroqService, ChatCompletionsService, SharedKeyRests, ModelLifecycleService],
  exports: [GroqService, ChatCompletionsService, ModelLifecycleService],
})
export class ProvidersModule {}
