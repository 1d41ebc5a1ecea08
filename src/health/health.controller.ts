import { Ungoverned } from '../common/http/ungoverned.decorator';
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { GroqService } from '../providers/groq/groq.service';

/** Kubernetes probes. Liveness: the process answers. Readiness: it should get traffic. */
@Ungoverned()
@Controller('health')
export class HealthController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly groq: GroqService,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): { status: string; keys?: unknown } {
    if (this.lifecycle.draining) {
      reply.status(503);
      return { status: 'draining' };
    }
    if (!this.groq.keys.anyUsable()) {
      reply.status(503);
      return {
        status: 'upstream_unusable',
        keys: this.groq.keys.status().map(({ id, breaker }) => ({ id, breaker })),
      };
    }
    return { status: 'ready' };
  }
}
