import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from '../api/client';
import { openEventStream } from '../api/event-stream';
import type { LogPage, LogRecord } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { metricColumn } from '../components/metric-column';
import { Field } from '../components/field';
import { ErrorNotice, Loading } from '../components/notice';
import { count, localInputToIso, localTime, ms, statusClass, usd, viewerZone } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';

interface Filters {
  q: string;
  model: string;
  virtualKey: string;
  status: string;
  code: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = {
  q: '',
  model: '',
  virtualKey: '',
  status: '',
  code: '',
  from: '',
  to: '',
};
const TAIL_KEEP = 500;

const COLUMNS: Column<LogRecord>[] = [
  {
    key: 'time',
    label: 'Time',
    sortValue: (r) => r.time,
    render: (r) => <time dateTime={r.time}>{localTime(r.time)}</time>,
  },
  {
    key: 'status',
    label: 'Status',
    sortValue: (r) => r.status,
    render: (r) => (
      <span class={`status ${statusClass(r.status)}`}>
        {r.status}
        {r.error_code ? ` ${r.error_code}` : ''}
      </span>
    ),
  },
  {
    key: 'model',
    label: 'Model',
    sortValue: (r) => r.model ?? r.model_asked,
    render: (r) => r.model ?? r.model_asked ?? '—',
  },
  {
    key: 'vk',
    label: 'Virtual key',
    sortValue: (r) => r.virtual_key_id,
    render: (r) => r.virtual_key_id ?? '—',
  },
  {
    key: 'route',
    label: 'Route',
    sortValue: (r) => r.route,
    render: (r) => `${r.method} ${r.route}`,
  },
  metricColumn('latency', 'Latency', (r) => r.latency_ms, ms),
  metricColumn('ttft', 'First token', (r) => r.time_to_first_token_ms, ms),
  metricColumn('tokens', 'Tokens', (r) => r.total_tokens, count),
  metricColumn('cost', 'Cost', (r) => r.cost_usd, usd),
  {
    key: 'id',
    label: 'Request',
    render: (r) => (
      <a href={href('logs', r.request_id)} onClick={(event) => event.stopPropagation()}>
        {r.request_id}
      </a>
    ),
  },
];

function filterParams(filters: Filters) {
  return {
    q: filters.q.trim(),
    model: filters.model.trim(),
    virtualKey: filters.virtualKey.trim(),
    status: filters.status.trim(),
    code: filters.code.trim(),
    from: localInputToIso(filters.from),
    to: localInputToIso(filters.to),
  };
}

/** The request logs: filter, sort, page (newest first, by cursor), live tail, open a record. */
export function Logs() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [limit, setLimit] = useState(50);
  const [cursors, setCursors] = useState<string[]>([]);
  const [live, setLive] = useState(false);
  const [tailed, setTailed] = useState<LogRecord[]>([]);
  const [tailState, setTailState] = useState<string>();
  const cursor = cursors[cursors.length - 1];
  const page = useApi<LogPage>(
    live ? null : `/admin/logs${query({ ...filterParams(filters), limit, cursor })}`,
  );

  useEffect(() => {
    if (!live) return;
    setTailed([]);
    setTailState('Connecting…');
    const { from: _from, to: _to, ...params } = filterParams(filters);
    return openEventStream(`/admin/logs/tail${query(params)}`, {
      onOpen: () => setTailState('Live: new requests appear as they finish.'),
      onError: (message) => setTailState(message),
      onEvent: (event, data) => {
        if (event !== 'log') return;
        const record = JSON.parse(data) as LogRecord;
        setTailed((before) => [record, ...before].slice(0, TAIL_KEEP));
      },
    });
  }, [live, filters]);

  const rows = live ? tailed : (page.data?.data ?? []);
  const set = (name: keyof Filters) => (event: Event) =>
    setDraft({ ...draft, [name]: (event.target as HTMLInputElement).value });
  const apply = (event: Event) => {
    event.preventDefault();
    setCursors([]);
    setFilters(draft);
  };
  const open = useMemo(
    () => (row: LogRecord) => (location.hash = href('logs', row.request_id)),
    [],
  );

  return (
    <section aria-labelledby="logs-title">
      <div class="page-head">
        <h1 id="logs-title">Logs</h1>
        <div class="controls">
          <label class="check">
            <input
              type="checkbox"
              checked={live}
              onChange={(event) => setLive((event.target as HTMLInputElement).checked)}
            />{' '}
            Live tail
          </label>
        </div>
      </div>
      <form class="filters" onSubmit={apply} aria-label="Filter the logs">
        <Field id="f-q" label="Search">
          <input
            id="f-q"
            type="search"
            value={draft.q}
            onInput={set('q')}
            placeholder="id, model, error, path…"
          />
        </Field>
        <Field id="f-model" label="Model">
          <input id="f-model" value={draft.model} onInput={set('model')} />
        </Field>
        <Field id="f-vk" label="Virtual key">
          <input id="f-vk" value={draft.virtualKey} onInput={set('virtualKey')} />
        </Field>
        <Field id="f-status" label="Status">
          <select id="f-status" value={draft.status} onChange={set('status')}>
            <option value="">any</option>
            <option value="2xx">2xx</option>
            <option value="4xx">4xx</option>
            <option value="5xx">5xx</option>
            <option value="429">429</option>
            <option value="499">499 (abandoned)</option>
          </select>
        </Field>
        <Field id="f-code" label="Error code">
          <input id="f-code" value={draft.code} onInput={set('code')} />
        </Field>
        <Field id="f-from" label="From">
          <input
            id="f-from"
            type="datetime-local"
            step="1"
            value={draft.from}
            onInput={set('from')}
          />
        </Field>
        <Field id="f-to" label="To">
          <input id="f-to" type="datetime-local" step="1" value={draft.to} onInput={set('to')} />
        </Field>
        <div class="buttons">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
              setCursors([]);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <p class="hint">Times in your zone ({viewerZone}). Sorting orders the rows shown.</p>
      {live ? (
        <p class="notice" role="status" aria-live="polite" data-testid="tail-state">
          {tailState}
        </p>
      ) : null}
      <ErrorNotice error={page.error} />
      {!live && page.loading && !page.data ? <Loading /> : null}
      <DataTable
        caption={live ? 'Live requests, newest first' : 'Requests, newest first'}
        columns={COLUMNS}
        rows={rows}
        rowKey={(r) => r.id}
        empty={live ? 'Waiting for requests…' : 'No requests match these filters.'}
        onRowOpen={open}
        rowLabel={(r) =>
          `Request ${r.request_id}, status ${r.status}, ${r.model ?? r.model_asked ?? 'no model'}`
        }
      />
      {live ? null : (
        <nav class="pager" aria-label="Log pages">
          <button
            type="button"
            disabled={cursors.length === 0}
            onClick={() => setCursors(cursors.slice(0, -1))}
          >
            Newer
          </button>
          <span>Page {cursors.length + 1}</span>
          <button
            type="button"
            disabled={!page.data?.next_cursor}
            onClick={() =>
              page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])
            }
          >
            Older
          </button>
          <label>
            Rows per page{' '}
            <select
              value={limit}
              onChange={(event) => {
                setLimit(Number((event.target as HTMLSelectElement).value));
                setCursors([]);
              }}
            >
              {[25, 50, 100, 200].map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        </nav>
      )}
    </section>
  );
}
