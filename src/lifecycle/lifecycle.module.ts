import { Global, Module } from '@nestjs/common';
import { OpenResponses } from './open-responses';
import { LifecycleService } from './lifecycle.service';

@Global()
@Module({
  providers: [LifecycleService, OpenResponses],
  exports: [LifecycleService, OpenResponses],
})
export class LifecycleModule {}
