/** One match in a text: where it is and what it is (never kept beyond the check). */
export interface Finding {
  start: number;
  end: number;
  /** The entity (`email`), `keyword`, or `redacted` (regex): what a redaction writes in its place. */
  label: string;
  /** What a block or a flag names when it is not the label (`pattern` for a regex's match). */
  category?: string;
}

/** The text with every finding replaced by its label in capitals: `[EMAIL]`, `[CREDIT_CARD]`. */
export function redact(text: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return text;
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const finding of sorted) {
    if (finding.end <= at) continue;
    const start = Math.max(finding.start, at);
    out += `${text.slice(at, start)}[${finding.label.toUpperCase()}]`;
    at = finding.end;
  }
  return out + text.slice(at);
}
