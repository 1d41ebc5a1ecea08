import { Controller, Get } from '@nestjs/common';
import { seesAllTeams, visibleTeams } from '../auth/permissions';
import type { Principal } from '../auth/principal';
import { CurrentPrincipal } from '../auth/request-principal';
import { Requires } from '../auth/requires.decorator';
import { policyView } from './config-view';
import { GuardrailActivity, RECENT_GUARDRAIL_EVENTS } from './guardrail-activity.service';

/**
 * `GET /admin/guardrails`: the configured policies (a webhook detector's URL and headers
 * redacted), which apply to every call, and what they did on this replica: counts by policy and
 * the last blocks, flags, redactions and errors. `logs.read`: a developer sees its teams' calls
 * only (and no gateway-wide counts, which would tell of other teams' traffic).
 */
@Controller('admin')
export class GuardrailsController {
  constructor(private readonly activity: GuardrailActivity) {}

  @Get('guardrails')
  @Requires('logs.read')
  view(@CurrentPrincipal() principal: Principal) {
    const config = this.activity.config;
    return {
      object: 'guardrails',
      defaults: config.defaults,
      streaming: config.streaming,
      blockedStatus: config.blockedStatus,
      policies: config.policies.map(policyView),
      since: this.activity.since,
      counts: seesAllTeams(principal) ? this.activity.countsByPolicy() : null,
      recent: this.activity.recentEvents(visibleTeams(principal)),
      recentLimit: RECENT_GUARDRAIL_EVENTS,
    };
  }
}
