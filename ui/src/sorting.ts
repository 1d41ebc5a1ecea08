export type SortDirection = 'ascending' | 'descending';

export interface SortState {
  key: string;
  direction: SortDirection;
}

/** A sorted copy; empty values last whichever the direction, ties kept in their given order. */
export function sortRows<T>(
  rows: readonly T[],
  value: (row: T) => string | number | null,
  direction: SortDirection,
): T[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: value(row) }))
    .sort((a, b) => {
      if (a.value === null || a.value === undefined)
        return b.value === null ? a.index - b.index : 1;
      if (b.value === null || b.value === undefined) return -1;
      const order =
        typeof a.value === 'number' && typeof b.value === 'number'
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return order === 0 ? a.index - b.index : order * sign;
    })
    .map((entry) => entry.row);
}
