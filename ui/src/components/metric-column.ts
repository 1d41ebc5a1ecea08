import type { Column } from './data-table';

/**
 * A numeric, sortable column showing one figure of a row in one format: the latency, token and
 * cost columns the Logs table (per request) and the Overview tables (per group) both show.
 */
export function metricColumn<T>(
  key: string,
  label: string,
  value: (row: T) => number | null,
  format: (n: number | null) => string,
): Column<T> {
  return { key, label, numeric: true, sortValue: value, render: (row) => format(value(row)) };
}
