/**
 * Smooth weighted round robin (nginx's algorithm): over any run of picks each candidate is chosen
 * in proportion to its weight, interleaved rather than in bursts. Weights may change between picks
 * (live health), which is why they are read per pick. The state is the running score per id.
 */
export class SmoothWeighted<Id> {
  private readonly current = new Map<Id, number>();

  /** One of `candidates` (non-empty); zero weights are never picked unless all are zero. */
  pick<T>(
    candidates: readonly T[],
    idOf: (candidate: T) => Id,
    weightOf: (candidate: T) => number,
  ): T {
    let best = candidates[0];
    let bestValue = -Infinity;
    let total = 0;
    for (const candidate of candidates) {
      const weight = weightOf(candidate);
      const id = idOf(candidate);
      const value = (this.current.get(id) ?? 0) + weight;
      this.current.set(id, value);
      total += weight;
      if (value > bestValue) {
        best = candidate;
        bestValue = value;
      }
    }
    this.current.set(idOf(best), bestValue - total);
    return best;
  }
}
