import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { CallEvents } from '../call/call-events';
import type { AllConfig } from '../config/gateway-config';
import type { GuardrailsConfig } from '../guardrails/guardrails-config';
import {
  countEvent,
  guardrailEvents,
  type GuardrailEvent,
  type OutcomeCounts,
} from './guardrail-activity';
import { RecentRing } from '../common/recent-ring';

/** Recent guardrail events kept per replica for the dashboard. */
export const RECENT_GUARDRAIL_EVENTS = 200;

/**
 * What the guardrails did on this replica since it started: the last blocks, flags, redactions
 * and errors (a bounded ring) and counts by policy, from each call's `ended` event. Subscribes
 * only when policies are configured.
 */
@Injectable()
export class GuardrailActivity implements OnModuleInit, OnModuleDestroy {
  readonly config: GuardrailsConfig;
  readonly since = new Date().toISOString();
  private readonly recent = new RecentRing<GuardrailEvent>(RECENT_GUARDRAIL_EVENTS);
  private readonly counts = new Map<string, OutcomeCounts>();
  private unsubscribe?: () => void;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly events: CallEvents,
  ) {
    this.config = configService.get('gateway', { infer: true }).guardrails;
  }

  onModuleInit(): void {
    if (this.config.policies.length === 0) return;
    this.unsubscribe = this.events.onEnded((call) => {
      if (!call.guardrails?.length) return;
      for (const event of guardrailEvents(call)) {
        this.recent.push(event);
        countEvent(this.counts, event);
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Newest first; `teams` limits them to those teams' calls (undefined: every call). */
  recentEvents(teams: readonly string[] | undefined): GuardrailEvent[] {
    const all = this.recent.list();
    return teams === undefined ? all : all.filter((e) => e.team !== null && teams.includes(e.team));
  }

  countsByPolicy(): Record<string, OutcomeCounts> {
    return Object.fromEntries(this.counts);
  }
}
