import { Ungoverned } from '../common/http/ungoverned.decorator';
import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { GovernanceService } from '../governance/governance.service';
import { LifecycleService } from '../lifecycle/lifecycle.service';
import { GroqService } from '../providers/groq/groq.service';

interface Readiness {
  status: 'ready' | 'draining' | 'governance_store_unavailable';
  /** Keys out of rotation or with a breaker not closed: detail for operators, never a 503. */
  keys?: Array<{ id: string; breaker: string; trippedModels?: string[]; rejected?: unknown }>;
}

/**
 * Kubernetes probes. Liveness: the process answers. Readiness: this replica's own health only
 * (draining; the shared store skipped while governance fails closed). Upstream trouble never
 * makes a replica unready: every replica shares Groq, and pulling them all out of the Service
 * turns a blip into an outage; the trouble is shown in the body instead.
 */
@Ungoverned()
@Controller('health')
export class HealthController {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly groq: GroqService,
    private readonly governance: GovernanceService,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res({ passthrough: true }) reply: FastifyReply): Readiness {
    if (this.lifecycle.draining) {
      reply.status(503);
      return { status: 'draining' };
    }
    const troubled = this.groq.keys
      .status()
      .filter((key) => key.breaker !== 'closed' || key.rejected)
      .map(({ id, breaker, trippedModels, rejected }) => ({
        id,
        breaker,
        trippedModels,
        rejected,
      }));
    const keys = troubled.length > 0 ? { keys: troubled } : {};
    if (!this.governance.storeServing()) {
      reply.status(503);
      return { status: 'governance_store_unavailable', ...keys };
    }
    return { status: 'ready', ...keys };
  }
}
