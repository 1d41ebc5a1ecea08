import { Module } from '@nestjs/common';
import { RequestLogsApiService } from './request-logs-api.service';
import { RequestLogsController } from './request-logs.controller';
import { RequestLogsService } from './request-logs.service';

/** Request logs: the record of every call, its store, the admin query API and the exports. */
@Module({
  controllers: [RequestLogsController],
  providers: [RequestLogsService, RequestLogsApiService],
})
export class RequestLogsModule {}
