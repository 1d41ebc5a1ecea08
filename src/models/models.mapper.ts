import { bareModelId, publicGroqModelId } from '../providers/model-router';
import type { GroqModel } from '../providers/groq/groq-model';
import type { ModelRouteConfig } from '../config/model-routes-config';

export interface ModelList {
  object: 'list';
  data: GroqModel[];
}

/** Groq's models under the gateway's ids (`groq/<id>`), every other field as Groq gave it. */
export function toGatewayModels(models: readonly GroqModel[]): GroqModel[] {
  return models.map((model) => {
    const renamed: GroqModel = { ...model, id: publicGroqModelId(model.id) };
    if (typeof model.successor === 'string') renamed.successor = publicGroqModelId(model.successor);
    return renamed;
  });
}

/** What the gateway knows of a model's retirement: the day and the successor (upstream ids). */
export type RetirementLookup = (
  upstreamId: string,
) => { retiredOn: string; successor?: string } | undefined;

/**
 * Marks models with a known retirement: `shutdown_date` (`YYYY-MM-DD`, the field OpenAI's model
 * objects use for the same fact) and `successor` (an upstream id, renamed with the list).
 */
export function withRetirements(
  models: readonly GroqModel[],
  retirementOf: RetirementLookup,
): GroqModel[] {
  return models.map((model) => {
    const retirement = retirementOf(model.id);
    if (!retirement) return model;
    const marked: GroqModel = { ...model, shutdown_date: retirement.retiredOn };
    if (retirement.successor) marked.successor = retirement.successor;
    return marked;
  });
}

/** Finds a model by the id a client may use: `groq/<id>` or Groq's bare id. */
export function findModel(
  models: readonly GroqModel[],
  requestedId: string,
): GroqModel | undefined {
  const id = publicGroqModelId(bareModelId(requestedId));
  return models.find((model) => model.id === id);
}

/**
 * Model routes listed as models (`owned_by: gateway`), with their strategy and targets, under the
 * gateway's ids; the context window and output cap are the smallest of their targets' (what a
 * caller can count on whichever target serves).
 */
export function routeModels(
  routes: readonly ModelRouteConfig[],
  groqModels: readonly GroqModel[],
): GroqModel[] {
  return routes.map((route) => {
    const targets = route.targets.map((t) => groqModels.find((m) => m.id === t.model));
    const smallest = (field: 'context_window' | 'max_completion_tokens') => {
      const values = targets
        .map((m) => m?.[field])
        .filter((v): v is number => typeof v === 'number');
      return values.length === targets.length ? Math.min(...values) : undefined;
    };
    const contextWindow = smallest('context_window');
    const maxCompletionTokens = smallest('max_completion_tokens');
    return {
      id: publicGroqModelId(route.id),
      object: 'model',
      created: 0,
      owned_by: 'gateway',
      active: true,
      ...(contextWindow === undefined ? {} : { context_window: contextWindow }),
      ...(maxCompletionTokens === undefined ? {} : { max_completion_tokens: maxCompletionTokens }),
      route: {
        strategy: route.strategy,
        targets: route.targets.map((t) => ({ model: t.model, weight: t.weight })),
      },
    };
  });
}
