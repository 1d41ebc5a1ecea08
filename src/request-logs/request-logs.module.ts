import { Module } from '@nestjs/common';
import { LogTail } from './log-tail';
import { RequestLogsApiService } from './request-logs-api.service';
import { RequestLogsController } from './request-logs.controller';
import { RequestLogsService } from './request-logs.service';
import { RequestLogsTailController } from './request-logs-tail.controller';

/** Request logs: the record of every call, its store, the admin query API, the live tail and the exports. */
@Module({
  controllers: [RequestLogsController, RequestLogsTailController],
  providers: [RequestLogsService, RequestLogsApiService, LogTail],
  // Alerts watch its sinks' health (store_unavailable).
  exports: [RequestLogsService],
})
export class RequestLogsModule {}
