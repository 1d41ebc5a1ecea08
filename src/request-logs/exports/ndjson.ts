import { LOG_FIELDS, type LogRecord } from '../log-record';

/**
 * One record as one NDJSON line (keys in the schema's order). Not JSON.stringify's key-list
 * replacer: it filters nested objects by the same list, emptying the guardrail outcomes.
 */
export function ndjsonLine(record: LogRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const field of LOG_FIELDS) ordered[field] = record[field];
  return `${JSON.stringify(ordered)}\n`;
}

export function ndjson(records: readonly LogRecord[]): string {
  let text = '';
  for (const record of records) text += ndjsonLine(record);
  return text;
}

/** The CSV header line: the record's fields, in order. */
export function csvHeader(): string {
  return `${LOG_FIELDS.join(',')}\r\n`;
}

/** One record as one CSV row (RFC 4180: fields with a comma, quote or line break are quoted). */
export function csvRow(record: LogRecord): string {
  return `${LOG_FIELDS.map((field) => csvField(record[field])).join(',')}\r\n`;
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  // A leading =, +, - or @ would run as a formula in a spreadsheet: quote and prefix it.
  const safe = /^[=+\-@\t\r]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}
