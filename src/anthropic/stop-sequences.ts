/**
 * Anthropic reports which stop sequence ended a message; Groq does not say whether it stopped on
 * one. So on the Anthropic path the gateway applies stop sequences itself: it finds the earliest
 * match, cuts the text before it and reports it.
 */
export function applyStopSequences(
  text: string,
  sequences: readonly string[],
): { text: string; matched: string | null } {
  let cut = -1;
  let matched: string | null = null;
  for (const sequence of sequences) {
    if (!sequence) continue;
    const at = text.indexOf(sequence);
    if (at >= 0 && (cut < 0 || at < cut)) {
      cut = at;
      matched = sequence;
    }
  }
  return matched === null ? { text, matched } : { text: text.slice(0, cut), matched };
}

/**
 * The streaming form: text arrives in pieces, and a stop sequence may be split across them. It
 * holds back the last few characters that could start a match, and releases the rest.
 */
export class StopSequenceScanner {
  private held = '';
  private readonly holdBack: number;
  matched: string | null = null;

  constructor(private readonly sequences: readonly string[]) {
    this.holdBack = Math.max(0, ...sequences.map((s) => s.length - 1));
  }

  /** Text that is safe to send now. Once a sequence matched, nothing more is released. */
  push(text: string): string {
    if (this.matched !== null) return '';
    if (this.sequences.length === 0) return text;
    const buffer = this.held + text;
    const found = applyStopSequences(buffer, this.sequences);
    if (found.matched !== null) {
      this.matched = found.matched;
      this.held = '';
      return found.text;
    }
    const release = Math.max(0, buffer.length - this.holdBack);
    this.held = buffer.slice(release);
    return buffer.slice(0, release);
  }

  /** What was held back, at the end of the text. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return this.matched === null ? rest : '';
  }
}
