import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import {
  FAIL_FAST_REDIS_OPTIONS,
  retargetRedis,
  whenReady,
} from '../../common/redis/redis-connection';
import { LiveConfig } from '../../config/live-config';
import type { AllConfig } from '../../config/gateway-config';
import { GroqService } from '../groq/groq.service';

const CHANNEL = 'gw:key-rests';
/**
 * A key's rests per model (Groq limits each model on its own), field `<key id> <model>`. The hash
 * before it, `gw:key-rests`, held rests of whole keys: it is no longer read and expires by itself.
 */
const RESTS_HASH = 'gw:key-model-rests';
/** A model route target's rests (issue 23): their own hash, so no target name meets a key id. */
const TARGET_RESTS_HASH = 'gw:target-rests';

interface RestMessage {
  /** The gateway's key id, or, with `target: true`, a model route target's Groq model id. */
  keyId: string;
  /** The Groq model the key rests for ('' the model list); absent for a target. */
  model?: string;
  target?: boolean;
  /** Absolute end of the rest, from the sender's clock (Redis's would need a round trip). */
  until: number;
  from: string;
}

/**
 * With REDIS_URL, a 429 from Groq that rests a model on a key on one replica rests it on all of
 * them: the replica publishes the key id (never the key), the model and the rest's end; the others
 * rest that model on the key until then, so Groq is not asked again by every replica in turn. A
 * replica that starts reads the rests still running. A message without a model (a replica of a
 * version that rested whole keys) is ignored: this replica learns that rest from its own 429.
 * Without Redis, nothing: each replica learns from its own answers.
 */
@Injectable()
export class SharedKeyRests implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SharedKeyRests');
  private readonly instance = randomUUID();
  private publisher?: Redis;
  private subscriber?: Redis;

  constructor(
    private readonly groq: GroqService,
    private readonly config: ConfigService<AllConfig, true>,
    private readonly live: LiveConfig,
  ) {}

  private unsubscribe?: () => void;

  async onModuleInit(): Promise<void> {
    const url = this.config.get('gateway', { infer: true }).redisUrl;
    if (!url) return;
    this.publisher = new Redis(url, FAIL_FAST_REDIS_OPTIONS);
    // A subscriber connection queues its SUBSCRIBE until connected and re-subscribes on reconnect.
    this.subscriber = new Redis(url, { ...FAIL_FAST_REDIS_OPTIONS, enableOfflineQueue: true });
    // Outages are reported by governance; here they only mean rests stay local meanwhile.
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    void this.subscriber.subscribe(CHANNEL).catch(() => undefined);
    this.groq.keys.onRest = (keyId, model, restMs) => this.publish(keyId, restMs, model);
    this.groq.routes.onRest = (model, restMs) => this.publish(model, restMs);
    this.unsubscribe = this.live.onChange((next, previous) => {
      if (!next.redisUrl || next.redisUrl === previous.redisUrl) return;
      for (const connection of [this.publisher, this.subscriber])
        if (connection) retargetRedis(connection, next.redisUrl);
    });
    await this.loadRunningRests();
  }

  async onModuleDestroy(): Promise<void> {
    this.groq.keys.onRest = undefined;
    this.groq.routes.onRest = undefined;
    this.unsubscribe?.();
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
    return Promise.resolve();
  }

  /** A key's rest for `model`, or, with no model, a route target's rest. */
  private publish(keyId: string, restMs: number, model?: string): void {
    const publisher = this.publisher;
    if (!publisher || publisher.status !== 'ready') return;
    const message: RestMessage = { keyId, until: Date.now() + restMs, from: this.instance };
    if (model === undefined) message.target = true;
    else message.model = model;
    const text = JSON.stringify(message);
    const hash = model === undefined ? TARGET_RESTS_HASH : RESTS_HASH;
    publisher
      .multi()
      .hset(hash, model === undefined ? keyId : `${keyId} ${model}`, text)
      // The hash lives as long as its longest rest: NX sets a first TTL, GT only lengthens it.
      .pexpire(hash, Math.ceil(restMs) + 1_000, 'NX')
      .pexpire(hash, Math.ceil(restMs) + 1_000, 'GT')
      .publish(CHANNEL, text)
      .exec()
      .catch(() => undefined);
  }

  private receive(text: string): void {
    let message: RestMessage;
    try {
      message = JSON.parse(text) as RestMessage;
    } catch {
      return;
    }
    if (message.from === this.instance || typeof message.keyId !== 'string') return;
    const restMs = Number(message.until) - Date.now();
    if (restMs > 0 && message.target === true) {
      this.groq.routes.rest(message.keyId, restMs);
      this.logger.log(
        `route target ${message.keyId} rests for ${Math.ceil(restMs / 1000)} s (429 on another replica)`,
      );
    } else if (restMs > 0 && typeof message.model === 'string') {
      this.groq.keys.rest(message.keyId, message.model, restMs);
      this.logger.log(
        `key ${message.keyId} rests for model '${message.model || '(model list)'}' for ${Math.ceil(restMs / 1000)} s (429 on another replica)`,
      );
    }
  }

  private async loadRunningRests(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher) return;
    if (!(await whenReady(publisher, 2_000))) return;
    try {
      for (const hash of [RESTS_HASH, TARGET_RESTS_HASH]) {
        const running = await publisher.hgetall(hash);
        for (const text of Object.values(running)) this.receive(text);
      }
    } catch {
      // Redis went away between ready and the read: start with no shared rests.
    }
  }
}
