import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { GatewayError } from '../common/errors/gateway-error';
import type { AllConfig } from '../config/gateway-config';
import type { GroqModel } from '../providers/groq/groq-model';
import { bareModelId } from '../providers/model-router';
import { GroqService } from '../providers/groq/groq.service';
import { ModelLifecycleService } from '../providers/lifecycle/model-lifecycle.service';
import { findModel, routeModels, toGatewayModels, withRetirements } from './models.mapper';

/** How a caller names models: the gateway's `groq/<id>`, or Groq's own ids (groq-sdk drop-in). */
export type ModelNaming = 'gateway' | 'groq';

/**
 * Groq's model list, cached for `models.cacheTtlMs`. Concurrent callers share one upstream call;
 * a failed call is not cached.
 */
@Injectable()
export class ModelsService {
  private cached?: { at: number; models: Promise<GroqModel[]> };
  private readonly ttlMs: number;

  constructor(
    private readonly groq: GroqService,
    config: ConfigService<AllConfig, true>,
    private readonly lifecycle: ModelLifecycleService,
  ) {
    this.ttlMs = config.get('gateway', { infer: true }).models.cacheTtlMs;
  }

  /** Groq's models, then the gateway's model routes (issue 23). */
  async list(naming: ModelNaming = 'gateway'): Promise<GroqModel[]> {
    const marked = withRetirements(await this.upstreamModels(), (id) => {
      const retirement = this.lifecycle.retirementOf(id);
      return retirement && { ...retirement, successor: this.lifecycle.successorOf(id) };
    });
    const gatewayModels = toGatewayModels(marked);
    const models = [...gatewayModels, ...routeModels(this.groq.routes.routes, gatewayModels)];
    return naming === 'gateway' ? models : models.map(withGroqId);
  }

  async get(id: string, naming: ModelNaming = 'gateway'): Promise<GroqModel> {
    const models = await this.list('gateway');
    const model = findModel(models, id);
    if (!model) {
      throw new GatewayError({
        status: 404,
        message: `The model \`${id}\` does not exist or you do not have access to it.`,
        code: 'model_not_found',
        param: 'model',
      });
    }
    return naming === 'gateway' ? model : withGroqId(model);
  }

  private upstreamModels(): Promise<GroqModel[]> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < this.ttlMs) return this.cached.models;
    const models = this.groq.listModels();
    const entry = { at: now, models };
    this.cached = entry;
    models.catch(() => {
      if (this.cached === entry) this.cached = undefined;
    });
    return models;
  }
}

/** A model under Groq's own id, as the groq-sdk drop-in lists it. */
function withGroqId(model: GroqModel): GroqModel {
  const bare: GroqModel = { ...model, id: bareModelId(model.id) };
  if (typeof model.successor === 'string') bare.successor = bareModelId(model.successor);
  return bare;
}
