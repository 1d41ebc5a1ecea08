import { publicGroqModelId } from '../providers/model-router';
import type { GroqModel } from '../providers/groq/groq-model';

export interface ModelList {
  object: 'list';
  data: GroqModel[];
}

/** Groq's models under the gateway's ids (`groq/<id>`), every other field as Groq gave it. */
export function toGatewayModels(models: readonly GroqModel[]): GroqModel[] {
  return models.map((model) => ({ ...model, id: publicGroqModelId(model.id) }));
}

/** Finds a model by the id a client may use: `groq/<id>` or Groq's bare id. */
export function findModel(
  models: readonly GroqModel[],
  requestedId: string,
): GroqModel | undefined {
  const id = requestedId.startsWith('groq/') ? requestedId : publicGroqModelId(requestedId);
  return models.find((model) => model.id === id);
}
