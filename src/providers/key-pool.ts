import { GatewayError } from '../common/errors/gateway-error';
import type { GroqKeyConfig } from '../config/gateway-config';

/**
 * Chooses the Groq key for a request: smooth weighted round-robin (nginx's algorithm) over the
 * keys whose model allow-list admits the model, so traffic follows the configured weights evenly.
 */
export class KeyPool {
  private readonly current = new Map<string, number>();

  constructor(private readonly keys: readonly GroqKeyConfig[]) {}

  pick(model: string): GroqKeyConfig {
    const eligible = this.keys.filter(
      (key) => key.models.length === 0 || key.models.includes(model),
    );
    if (eligible.length === 0) {
      throw new GatewayError({
        status: 403,
        message: `No configured Groq key may serve model '${model}'. Add it to a key's models list in GATEWAY_CONFIG.`,
        code: 'model_not_allowed',
        param: 'model',
      });
    }
    let best = eligible[0];
    let total = 0;
    for (const key of eligible) {
      const value = (this.current.get(key.id) ?? 0) + key.weight;
      this.current.set(key.id, value);
      total += key.weight;
      if (value > (this.current.get(best.id) ?? 0)) best = key;
    }
    this.current.set(best.id, (this.current.get(best.id) ?? 0) - total);
    return best;
  }

  get size(): number {
    return this.keys.length;
  }
}
