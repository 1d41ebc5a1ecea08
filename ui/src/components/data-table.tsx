import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { sortRows, type SortState } from '../sorting';

export interface Column<T> {
  key: string;
  label: string;
  /** The value sorted by; columns without one do not sort. */
  sortValue?: (row: T) => string | number | null;
  render: (row: T) => ComponentChildren;
  numeric?: boolean;
}

export interface DataTableProps<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  empty: ComponentChildren;
  /** Rows per page when the table pages itself (all rows are given). */
  pageSize?: number;
  initialSort?: SortState;
  onRowOpen?: (row: T) => void;
  rowLabel?: (row: T) => string;
}

/** A table that sorts by any column with a sort value and pages by itself; keyboard reachable. */
export function DataTable<T>(props: DataTableProps<T>) {
  const { caption, columns, rows, rowKey, empty, pageSize, onRowOpen, rowLabel } = props;
  const [sort, setSort] = useState<SortState | undefined>(props.initialSort);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const column = columns.find((c) => c.key === sort?.key);
    return column?.sortValue && sort ? sortRows(rows, column.sortValue, sort.direction) : rows;
  }, [rows, sort, columns]);
  const pages = pageSize ? Math.max(1, Math.ceil(sorted.length / pageSize)) : 1;
  const current = Math.min(page, pages - 1);
  const shown = pageSize ? sorted.slice(current * pageSize, (current + 1) * pageSize) : sorted;
  const toggle = (key: string) =>
    setSort((before) => ({
      key,
      direction:
        before?.key === key && before.direction === 'descending' ? 'ascending' : 'descending',
    }));
  return (
    <div class="table-wrap">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                class={column.numeric ? 'num' : undefined}
                aria-sort={sort?.key === column.key ? sort.direction : undefined}
              >
                {column.sortValue ? (
                  <button type="button" class="sort" onClick={() => toggle(column.key)}>
                    {column.label}
                    <span aria-hidden="true">
                      {sort?.key === column.key
                        ? sort.direction === 'ascending'
                          ? ' ▲'
                          : ' ▼'
                        : ''}
                    </span>
                  </button>
                ) : (
                  column.label
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.length === 0 ? (
            <tr>
              <td colSpan={columns.length} class="empty">
                {empty}
              </td>
            </tr>
          ) : (
            shown.map((row) => (
              <tr
                key={rowKey(row)}
                class={onRowOpen ? 'openable' : undefined}
                tabIndex={onRowOpen ? 0 : undefined}
                aria-label={onRowOpen && rowLabel ? rowLabel(row) : undefined}
                onClick={onRowOpen ? () => onRowOpen(row) : undefined}
                onKeyDown={
                  onRowOpen
                    ? (event) => {
                        if (event.key === 'Enter' || event.key === ' ') {
                          event.preventDefault();
                          onRowOpen(row);
                        }
                      }
                    : undefined
                }
              >
                {columns.map((column) => (
                  <td key={column.key} class={column.numeric ? 'num' : undefined}>
                    {column.render(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
      {pageSize && pages > 1 ? (
        <nav class="pager" aria-label={`${caption} pages`}>
          <button type="button" disabled={current === 0} onClick={() => setPage(current - 1)}>
            Previous
          </button>
          <span>
            Page {current + 1} of {pages}
          </span>
          <button
            type="button"
            disabled={current >= pages - 1}
            onClick={() => setPage(current + 1)}
          >
            Next
          </button>
        </nav>
      ) : null}
    </div>
  );
}
