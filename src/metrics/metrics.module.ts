import { Global, Module } from '@nestjs/common';
import { ProvidersModule } from '../providers/providers.module';
import { MetricsController } from './metrics.controller';
import { TracingService } from '../observability/tracing.service';
import { MetricsService } from './metrics.service';

@Global()
@Module({
  imports: [ProvidersModule],
  controllers: [MetricsController],
  // Tracing sits with metrics: both are read at the end of each request by the request hooks.
  providers: [MetricsService, TracingService],
  exports: [MetricsService, TracingService],
})
export class MetricsModule {}
