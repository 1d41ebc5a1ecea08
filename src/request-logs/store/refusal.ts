import { ROW_COLUMNS } from './row-mapping';

/** A store refusing a record for good: the database's code and message, safe to log. */
export interface Refusal {
  code: string;
  /** The database's message, each value it quotes made "…" (names are kept). */
  message: string;
}

/**
 * Postgres classes a record meets on every retry and no other record needs to: 22 data exception
 * (a value out of range or not of its column's type, a NUL in text, a character the database's
 * encoding lacks), 23 integrity constraint (NOT NULL, CHECK, UNIQUE), and 54000 program limit
 * exceeded as an INSERT of one row meets it (a value too large for its index's row). Every other
 * class is a failure that retrying can outlast, or one every record meets alike (42: a missing
 * table or privilege), and refusing each record for it would drop them all: those keep retrying.
 */
const POSTGRES_REFUSALS = /^(?:2[23][0-9A-Z]{3}|54000)$/;

/**
 * SQLite's codes for a record it refuses (better-sqlite3 names extended codes, e.g. _NOTNULL; the
 * writer thread passes them on, sqlite-thread.ts).
 */
const SQLITE_REFUSALS = /^SQLITE_(?:CONSTRAINT|MISMATCH|TOOBIG)(?:_|$)/;

/**
 * Whether a failed write is the store refusing a record of the batch for good, rather than
 * failing (connection lost, timeout, serialization failure, disk full, busy or locked: retried
 * as before). Only the database's code and message are kept: Postgres's detail repeats the
 * failing row ("Failing row contains (...)"), and a value quoted in its message is the record's.
 */
export function refusalOf(error: unknown): Refusal | undefined {
  // Not `instanceof Error`: better-sqlite3 makes its errors with the Error of the realm that
  // loaded it first (a jest sandbox, say), which another realm's instanceof does not know.
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return undefined;
  if (typeof code !== 'string') return undefined;
  if (POSTGRES_REFUSALS.test(code) || SQLITE_REFUSALS.test(code))
    return { code, message: withoutValues(error, message) };
  return undefined;
}

const SCHEMA_NAMES: ReadonlySet<string> = new Set(['request_logs', ...ROW_COLUMNS]);

/** The fields where pg names what an error is about (never a value). */
const NAMED = ['schema', 'table', 'column', 'dataType', 'constraint'] as const;

/**
 * The error's message with each double-quoted text made "…", unless it is a name: the table, a
 * column, or a schema, table, column, type or constraint (or index) the error names in its own
 * fields. Postgres quotes names and values alike (`value "2147483648" is out of range for type
 * integer`, `null value in column "status"`, `violates check constraint "x"`).
 */
function withoutValues(error: object, message: string): string {
  const fields = error as Partial<Record<(typeof NAMED)[number], unknown>>;
  const names = new Set(SCHEMA_NAMES);
  for (const field of NAMED) if (typeof fields[field] === 'string') names.add(fields[field]);
  return message.replace(/"([^"]*)"/g, (quoted, text: string) =>
    names.has(text) ? quoted : '"…"',
  );
}
