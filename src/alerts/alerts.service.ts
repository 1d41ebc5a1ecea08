import { Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter } from 'prom-client';
import { CallEvents } from '../call/call-events';
import type { AlertsConfig, RuleConfig } from '../config/alerts-config';
import type { AllConfig, GatewayConfig } from '../config/gateway-config';
import { LiveConfig } from '../config/live-config';
import { budgetPeriod, usdFromNano } from '../governance/budget';
import { GovernanceService } from '../governance/governance.service';
import { StoreBreakerOpenError } from '../governance/store/store-breaker';
import { MetricsService } from '../metrics/metrics.service';
import { GroqService } from '../providers/groq/groq.service';
import { RequestLogsService } from '../request-logs/request-logs.service';
import { renderLink, type AlertMessage } from './alert-message';
import { alertVisible } from './alert-visibility';
import { endedObservation, stepAlert, type AlertState } from './alert-state';
import { createChannel } from './channels/create-channel';
import { LiveChannel } from './channels/live-channel';
import { DeliveryError } from './channels/delivery-error';
import { HttpPoster } from './channels/http-poster';
import { DeliveryQueue, type DeliveryReport } from './delivery-queue';
import { RecentDeliveries } from './recent-deliveries';
import {
  MemoryAlertFleet,
  mergeSignals,
  type AlertFleet,
  type BudgetCalls,
  type LocalSignals,
} from './fleet/alert-fleet';
import { CountBatches } from './fleet/count-batches';
import { RedisAlertFleet } from './fleet/redis-alert-fleet';
import { budgetOutcomes, refusedSince } from './budget-calls';
import { LocalSignalWatch, STORE_DOWN_AFTER_MS, type StoreProbe } from './local-signals';
import { evaluateRule } from './rules/evaluate-rule';
import type { BudgetFigure, EvaluationInputs } from './rules/observation';
import { countCall, countUpstream, type Counts } from './rules/window-counts';

const WINDOW_KINDS = new Set([
  'error_rate',
  'latency_p95',
  'upstream_unavailable',
  'guardrail_blocks',
]);

export interface RuleView {
  id: string;
  kind: string;
  channels: string[];
  state: 'ok' | 'firing';
  firingSince: string | null;
  lastSent: string | null;
  lastError: string | null;
  alerts: Array<{
    alertKey: string;
    scope: AlertState['scope'];
    state: 'ok' | 'firing';
    since: string | null;
    summary: string;
    figure: number | null;
    threshold: number | null;
    lastSent: string | null;
    lastError: string | null;
  }>;
}

/**
 * Alerts: counts every ended call and upstream attempt into per-second windows, watches key and
 * store health, and at each interval evaluates the rules (on one replica of the fleet when
 * Redis is shared), sending a message when an alert starts and when it ends. Nothing here runs
 * on a request's path but adding a few numbers to a map.
 */
@Injectable()
export class AlertsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Alerts');
  private readonly config: AlertsConfig;
  private readonly gateway: GatewayConfig;
  private readonly instance = randomUUID();
  private readonly source = process.env.HOSTNAME || hostname();
  private readonly signals = new LocalSignalWatch();
  private readonly channels = new Map<string, LiveChannel>();
  private readonly pending = new Map<number, Counts>();
  private readonly batches = new CountBatches();
  private readonly notes = new Map<string, Pick<AlertState, 'lastSentAtMs' | 'lastError'>>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly sent: Counter<'rule' | 'channel' | 'outcome'>;
  /** The last deliveries on this replica (GET /admin/alerts/deliveries). */
  readonly deliveries = new RecentDeliveries();
  private http?: HttpPoster;
  private fleet?: AlertFleet;
  private queue?: DeliveryQueue;
  private timer?: NodeJS.Timeout;
  private ticking = false;
  private leading = false;
  /** store_unavailable while Redis itself is away: each replica for itself. */
  private outageStates = new Map<string, AlertState>();
  private lastFleetWarning = 0;
  private lastBreakerWarning = 0;
  /** Alerts whose deliveries (lastSent, lastError) are not yet in the fleet's states. */
  private readonly unsavedNotes = new Set<string>();
  /** Since when calls to the fleet's Redis fail (a Redis that hangs can stay 'connected'). */
  private fleetFailingSince?: number;

  constructor(
    configService: ConfigService<AllConfig, true>,
    private readonly callEvents: CallEvents,
    private readonly groq: GroqService,
    private readonly governance: GovernanceService,
    metrics: MetricsService,
    private readonly live: LiveConfig,
    @Optional() private readonly requestLogs?: RequestLogsService,
  ) {
    this.gateway = configService.get('gateway', { infer: true });
    this.config = this.gateway.alerts;
    this.sent = new Counter({
      name: 'groq_gateway_alerts_sent_total',
      help: 'Alert messages by rule, channel and outcome (sent, failed, refused, dropped)',
      labelNames: ['rule', 'channel', 'outcome'],
      registers: [metrics.registry],
    });
  }

  get enabled(): boolean {
    return this.config.channels.length > 0;
  }

  onModuleInit(): void {
    if (!this.enabled) return;
    const http = new HttpPoster(this.config.allowPrivateNetworks);
    this.http = http;
    for (const channel of this.config.channels) {
      this.channels.set(channel.id, new LiveChannel(channel, (c) => createChannel(c, http)));
    }
    this.unsubscribe.push(this.live.onChange((next, previous) => this.applied(next, previous)));
    this.queue = new DeliveryQueue(
      {
        limit: this.config.queueLimit,
        attempts: this.config.deliveryAttempts,
        backoffMs: 1_000,
        maxBackoffMs: 60_000,
        concurrency: 4,
      },
      (message, channel, report) => this.counted(message, channel, report),
    );
    const rules = this.config.rules;
    const keepSeconds = Math.max(60, ...rules.map((r) => r.windowSeconds));
    const leaseMs = Math.max(3 * this.config.evaluateIntervalMs + 1_000, 3_000);
    this.fleet = this.gateway.redisUrl
      ? new RedisAlertFleet(this.gateway.redisUrl, this.instance, leaseMs, keepSeconds)
      : new MemoryAlertFleet(keepSeconds);

    if (rules.some((r) => WINDOW_KINDS.has(r.kind))) {
      const slow = [
        ...new Set(rules.filter((r) => r.kind === 'latency_p95').map((r) => r.thresholdMs)),
      ];
      this.unsubscribe.push(
        this.callEvents.onEnded((call) => countCall(call, slow, this.countsNow())),
      );
    }
    if (rules.some((r) => r.kind === 'budget_usage')) {
      this.unsubscribe.push(
        this.callEvents.onEnded((call) => {
          for (const { owner, id, outcome } of budgetOutcomes(call))
            this.signals.budgetCall(owner, id, outcome, call.startedAtMs);
        }),
      );
    }
    this.unsubscribe.push(
      this.groq.keys.onOutcome((keyId, status) => {
        countUpstream(status, this.countsNow());
        this.signals.keyOutcome(keyId, status, Date.now());
      }),
    );
    if (this.gateway.redisUrl) {
      const fleet = this.fleet as RedisAlertFleet;
      this.signals.watchStore('redis', () => ({
        available: fleet.connected && this.governance.storeIsHealthy,
      }));
    }
    for (const { name, probe } of this.requestLogs?.healthProbes() ?? []) {
      this.signals.watchStore(name, probe);
    }
    this.timer = setInterval(() => void this.tick(), this.config.evaluateIntervalMs);
    this.timer.unref();
    this.logger.log(
      `Alerts: ${rules.length} rules, ${this.channels.size} channels; ${this.fleet.shared ? 'once per fleet (Redis)' : 'this replica alerts for itself (no REDIS_URL)'}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const off of this.unsubscribe) off();
    const lost = this.queue?.close() ?? 0;
    if (lost > 0) this.logger.warn(`${lost} alert messages not delivered before shutdown`);
    // Bounded: a receiver or Redis that does not answer never holds the shutdown.
    const closing = Promise.all([
      ...[...this.channels.values()].map((c) => c.close?.()),
      this.http?.close(),
      this.fleet?.close(),
    ]).catch(() => undefined);
    await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  }

  /**
   * Secrets read again (issue 19's refresh, as for the admin key and REDIS_URL): a channel whose
   * secret changed (a webhook URL, routing key, SMTP URL or signing secret) sends its next message,
   * queued and retried ones included, with the new value; a new REDIS_URL reconnects the fleet.
   */
  private applied(next: GatewayConfig, previous: GatewayConfig): void {
    for (const config of next.alerts.channels) {
      if (this.channels.get(config.id)?.update(config)) {
        this.logger.log(`alert channel ${config.id} (${config.kind}): new secret applied`);
      }
    }
    if (
      next.redisUrl &&
      next.redisUrl !== previous.redisUrl &&
      this.fleet instanceof RedisAlertFleet
    ) {
      this.fleet.retarget(next.redisUrl);
      this.logger.log('REDIS_URL changed: alerts reconnect to Redis');
    }
  }

  /** Another store tells alerts how to know it works (request logs' sinks are watched already). */
  watchStore(name: string, probe: StoreProbe): void {
    this.signals.watchStore(name, probe);
  }

  /** A message to one channel now, one attempt, for POST /admin/alerts/test. */
  async sendTest(channelId: string): Promise<DeliveryReport | undefined> {
    const channel = this.channels.get(channelId);
    if (!channel) return undefined;
    const now = Date.now();
    const message: AlertMessage = {
      state: 'test',
      ruleId: 'test',
      kind: 'test',
      alertKey: `test:${channelId}`,
      scope: {},
      summary: `a test message from the gateway to channel ${channelId}`,
      unit: 'none',
      sinceMs: now,
      details: {},
      source: this.source,
    };
    message.link = renderLink(this.config.linkTemplate, message);
    let report: DeliveryReport;
    try {
      await channel.send(message);
      report = { channel: channelId, outcome: 'sent', attempts: 1 };
    } catch (error) {
      const failure =
        error instanceof DeliveryError ? error : new DeliveryError('the channel failed', false);
      report = {
        channel: channelId,
        outcome: failure.refused ? 'refused' : 'failed',
        attempts: 1,
        error: failure.message,
      };
    }
    this.counted(message, channelId, report);
    return report;
  }

  /**
   * Rules with their alerts' states, for GET /admin/alerts: every alert, or (`teams` given, a
   * developer's) the gateway-wide ones and those of these teams' virtual keys.
   */
  async view(teams?: readonly string[]) {
    let states: AlertState[] = [];
    let error: string | undefined;
    if (this.fleet) {
      try {
        states = await this.fleet.loadStates();
      } catch {
        error = 'the alert states in Redis cannot be read now';
      }
    }
    const teamOf = (id: string) => this.governance.registry.byKeyId(id)?.team;
    // In a fleet the states in Redis carry every delivery's lastSent (saved by the lock holder at
    // its next evaluation); this replica's own notes are newer only while it holds the lock.
    const noted = (s: AlertState) =>
      this.fleet?.shared && !this.leading ? s : { ...s, ...this.notes.get(s.alertKey) };
    states = [
      ...states.map(noted),
      ...[...this.outageStates.values()].map((s) => ({ ...s, ...this.notes.get(s.alertKey) })),
    ].filter((s) => alertVisible(s.scope, teams, teamOf));
    const iso = (ms?: number) => (ms === undefined ? null : new Date(ms).toISOString());
    const rules: RuleView[] = this.config.rules.map((rule) => {
      const mine = states.filter((s) => s.ruleId === rule.id);
      const firing = mine.filter((s) => s.state === 'firing');
      const lastSent = Math.max(-1, ...mine.map((s) => s.lastSentAtMs ?? -1));
      const withError = mine.find((s) => s.lastError);
      return {
        id: rule.id,
        kind: rule.kind,
        channels: rule.channels,
        state: firing.length > 0 ? 'firing' : 'ok',
        firingSince: iso(
          firing.length > 0 ? Math.min(...firing.map((s) => s.sinceMs ?? Date.now())) : undefined,
        ),
        lastSent: iso(lastSent >= 0 ? lastSent : undefined),
        lastError: withError?.lastError ?? null,
        alerts: mine.map((s) => ({
          alertKey: s.alertKey,
          scope: s.scope,
          state: s.state,
          since: iso(s.state === 'firing' ? s.sinceMs : undefined),
          summary: s.summary,
          figure: s.figure ?? null,
          threshold: s.threshold ?? null,
          lastSent: iso(s.lastSentAtMs),
          lastError: s.lastError ?? null,
        })),
      };
    });
    return {
      mode: this.fleet?.shared ? 'fleet' : 'replica',
      leader: this.leading,
      evaluateSeconds: this.config.evaluateIntervalMs / 1000,
      cooldownSeconds: this.config.cooldownMs / 1000,
      channels: this.config.channels.map((c) => ({ id: c.id, kind: c.kind })),
      rules,
      queued: this.queue?.size ?? 0,
      ...(error ? { error } : {}),
    };
  }

  /** One evaluation; never overlaps the previous one. Exposed for tests of the service. */
  async tick(): Promise<void> {
    if (this.ticking || !this.fleet) return;
    this.ticking = true;
    try {
      await this.evaluate(this.fleet, Date.now());
    } catch (error) {
      if (error instanceof StoreBreakerOpenError) {
        // An expected state (the governance store is away, or its breaker has not yet probed it
        // since it came back): one line, no stack, at most every 10 s.
        const nowMs = Date.now();
        if (nowMs - this.lastBreakerWarning > 10_000) {
          this.lastBreakerWarning = nowMs;
          this.logger.warn(`alert evaluation skipped: governance ${error.message}`);
        }
      } else {
        this.logger.error({ err: error }, 'alert evaluation failed');
      }
    } finally {
      this.ticking = false;
    }
  }

  private countsNow(): Counts {
    const second = Math.floor(Date.now() / 1000);
    let counts = this.pending.get(second);
    if (!counts) {
      counts = {};
      this.pending.set(second, counts);
    }
    return counts;
  }

  private async evaluate(fleet: AlertFleet, nowMs: number): Promise<void> {
    const mine = this.signals.snapshot(this.instance, nowMs, this.groq.keys.status());
    let everyone: LocalSignals[];
    let states: AlertState[];
    let windows: Map<number, Counts>;
    try {
      await this.flush(fleet, nowMs);
      everyone = await fleet.exchange(mine);
      this.leading = await fleet.lead();
      if (!this.leading) {
        this.fleetFailingSince = undefined;
        await this.evaluateOutage(mine, nowMs);
        return;
      }
      states = await fleet.loadStates();
      const lengths = [
        ...new Set(this.config.rules.map((r) => r.windowSeconds).filter((s) => s > 0)),
      ];
      windows = await fleet.windows(Math.floor(nowMs / 1000), lengths);
      this.fleetFailingSince = undefined;
    } catch (error) {
      // Redis is away: no fleet figures, no lock. Each replica reports the outage itself.
      this.leading = false;
      if (nowMs - this.lastFleetWarning > 10_000) {
        this.lastFleetWarning = nowMs;
        this.logger.warn(
          `Alert state in Redis unavailable (${(error as Error).message}); only store_unavailable is evaluated, by each replica`,
        );
      }
      this.fleetFailingSince ??= nowMs;
      if (
        nowMs - this.fleetFailingSince >= STORE_DOWN_AFTER_MS &&
        !mine.storesDown.some((s) => s.store === 'redis')
      ) {
        mine.storesDown.push({ store: 'redis', sinceMs: this.fleetFailingSince });
      }
      await this.evaluateOutage(mine, nowMs);
      return;
    }
    await this.evaluateOutage(mine, nowMs);
    const merged = mergeSignals(everyone);
    const inputs: EvaluationInputs = {
      nowMs,
      window: (seconds) => windows.get(seconds) ?? {},
      budgets: await this.budgets(nowMs, merged.budgetCalls),
      ...merged,
      // Redis's own outage is each replica's to report (evaluateOutage): it cannot go through Redis.
      storesDown: merged.storesDown.filter((s) => s.store !== 'redis'),
    };
    const { changed, sends } = this.run(this.config.rules, states, inputs, nowMs);
    // Deliveries that ended since the last save go to the fleet too, so every replica's
    // GET /admin/alerts shows the same lastSent and lastError.
    const noted = [...this.unsavedNotes];
    this.unsavedNotes.clear();
    for (const alertKey of noted) {
      const state = states.find((s) => s.alertKey === alertKey);
      if (state && !changed.some((c) => c.alertKey === alertKey)) changed.push({ ...state });
    }
    for (const state of changed) Object.assign(state, this.notes.get(state.alertKey));
    try {
      await fleet.saveStates(changed);
    } catch (error) {
      for (const alertKey of noted) this.unsavedNotes.add(alertKey);
      throw error;
    }
    for (const { state, send } of sends) this.dispatch(state, send, nowMs);
  }

  /**
   * store_unavailable for Redis itself, on each replica, while the fleet cannot be reached
   * (and until the replica's own alert has resolved). Shared-mode alerts wait for Redis.
   */
  private async evaluateOutage(mine: LocalSignals, nowMs: number): Promise<void> {
    if (!this.fleet?.shared) return;
    const redisDown = mine.storesDown.filter((s) => s.store === 'redis');
    const firing = [...this.outageStates.values()].some((s) => s.state === 'firing');
    if (redisDown.length === 0 && !firing) return;
    const rules = this.config.rules.filter((r) => r.kind === 'store_unavailable');
    const inputs: EvaluationInputs = {
      nowMs,
      window: () => ({}),
      budgets: [],
      invalidKeys: [],
      storesDown: redisDown,
    };
    const { changed, sends } = this.run(rules, [...this.outageStates.values()], inputs, nowMs);
    for (const state of changed) this.outageStates.set(state.alertKey, state);
    for (const { state, send } of sends) this.dispatch(state, send, nowMs);
    return Promise.resolve();
  }

  private run(
    rules: readonly RuleConfig[],
    states: readonly AlertState[],
    inputs: EvaluationInputs,
    nowMs: number,
  ) {
    const byKey = new Map(states.map((s) => [s.alertKey, s]));
    const changed: AlertState[] = [];
    const sends: Array<{ state: AlertState; send: 'firing' | 'resolved' }> = [];
    for (const rule of rules) {
      const seen = new Set<string>();
      const observations = evaluateRule(rule, inputs);
      for (const s of states) {
        if (
          s.ruleId === rule.id &&
          s.state === 'firing' &&
          !observations.some((o) => o.alertKey === s.alertKey)
        ) {
          observations.push(endedObservation(s));
        }
      }
      for (const observation of observations) {
        if (seen.has(observation.alertKey)) continue;
        seen.add(observation.alertKey);
        const previous = byKey.get(observation.alertKey);
        // Nothing to keep for a scope that never fired and does not fire now.
        if (!previous && !observation.firing) continue;
        const step = stepAlert(rule, previous, observation, nowMs);
        changed.push(step.next);
        if (step.send) sends.push({ state: step.next, send: step.send });
      }
    }
    return { changed, sends };
  }

  private dispatch(state: AlertState, send: 'firing' | 'resolved', nowMs: number): void {
    const rule = this.config.rules.find((r) => r.id === state.ruleId);
    if (!rule || !this.queue) return;
    const message: AlertMessage = {
      state: send,
      ruleId: state.ruleId,
      kind: state.kind,
      alertKey: state.alertKey,
      scope: state.scope,
      summary: state.summary,
      figure: state.figure,
      threshold: state.threshold,
      unit: state.unit,
      sinceMs: state.sinceMs ?? nowMs,
      endedAtMs: send === 'resolved' ? nowMs : undefined,
      details: state.details,
      source: this.source,
    };
    message.link = renderLink(this.config.linkTemplate, message);
    this.logger.log(`alert ${send}: ${state.ruleId} (${state.summary})`);
    for (const channelId of rule.channels) {
      const channel = this.channels.get(channelId);
      if (!channel) continue;
      this.queue.enqueue(channel, message, (report) => {
        const note = { ...this.notes.get(state.alertKey) };
        if (report.outcome === 'sent') note.lastSentAtMs = Date.now();
        else note.lastError = `${channelId}: ${report.error ?? report.outcome}`;
        this.notes.set(state.alertKey, note);
        this.unsavedNotes.add(state.alertKey);
      });
    }
  }

  /**
   * Adds the counts taken since the last flush, and every batch a failed flush left, each under
   * its own id: a batch whose add timed out on a hung Redis may still be applied when it resumes,
   * and its retry must not add it again.
   */
  private async flush(fleet: AlertFleet, nowMs: number): Promise<void> {
    // Kept for the next flush, but only as long as a window could still read them.
    const oldest =
      Math.floor(nowMs / 1000) - Math.max(60, ...this.config.rules.map((r) => r.windowSeconds));
    for (const batch of this.batches.take(this.pending, oldest)) {
      await fleet.add(batch.counts, batch.id);
      this.batches.added(batch);
    }
  }

  /**
   * Each budget's spend and reservations from the (shared) store, and the fleet's refusals: every
   * virtual key's own budget and every team's (issue 20), each its own figure.
   */
  private async budgets(nowMs: number, calls: readonly BudgetCalls[]): Promise<BudgetFigure[]> {
    if (!this.config.rules.some((r) => r.kind === 'budget_usage')) return [];
    const byBudget = new Map(calls.map((c) => [`${c.owner}:${c.id}`, c]));
    const figures: BudgetFigure[] = [];
    const { registry, store } = this.governance;
    for (const key of registry.all()) {
      if (!key.budget || key.revokedAt) continue;
      const window = budgetPeriod(key.budget.period, nowMs);
      const usage = await store.usage(key.id, window.label);
      figures.push({
        owner: 'key',
        id: key.id,
        spentUsd: usdFromNano(usage.spentNanoUsd),
        reservedUsd: usdFromNano(usage.reservedNanoUsd),
        limitUsd: key.budget.usd,
        period: key.budget.period,
        resetsAtMs: window.endsAtMs,
        refusedSinceMs: refusedSince(
          byBudget.get(`key:${key.id}`),
          key.budget.period,
          window.label,
        ),
      });
    }
    for (const team of registry.allTeams()) {
      if (!team.budget) continue;
      const window = budgetPeriod(team.budget.period, nowMs);
      const usage = await store.teamUsage(team.id, window.label);
      figures.push({
        owner: 'team',
        id: team.id,
        spentUsd: usdFromNano(usage.spentNanoUsd),
        reservedUsd: usdFromNano(usage.reservedNanoUsd),
        limitUsd: team.budget.usd,
        period: team.budget.period,
        resetsAtMs: window.endsAtMs,
        refusedSinceMs: refusedSince(
          byBudget.get(`team:${team.id}`),
          team.budget.period,
          window.label,
        ),
      });
    }
    return figures;
  }

  private counted(message: AlertMessage, channel: string, report: DeliveryReport): void {
    this.sent.inc({ rule: message.ruleId, channel, outcome: report.outcome });
    this.deliveries.add(message, report);
    if (report.outcome !== 'sent') {
      this.logger.warn(
        `alert ${message.state} for ${message.ruleId} not delivered to ${channel}: ${report.outcome}${report.error ? ` (${report.error})` : ''}`,
      );
    }
  }
}
