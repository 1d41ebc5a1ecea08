import { useEffect, useMemo, useState } from 'preact/hooks';
import { query } from '../api/client';
import type { Stats, StatsRow } from '../api/types';
import { Chart } from '../components/chart';
import { DataTable, type Column } from '../components/data-table';
import { metricColumn } from '../components/metric-column';
import { ErrorNotice, Loading } from '../components/notice';
import { count, ms, percent, usd, viewerZone } from '../format';
import { bucketStarts, groupedSeries, INTERVAL_MS, RANGES, seriesOf } from '../series';
import { useApi } from '../use-api';

const REFRESH_MS = 10_000;
const twoPlaces = (n: number) => n.toFixed(2);
const whole = (n: number) => count(Math.round(n));

/** Traffic at a glance: rates, errors, latency, first token, tokens and cost, by model and key. */
export function Overview() {
  const [rangeIndex, setRangeIndex] = useState(1);
  const [auto, setAuto] = useState(true);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!auto) return;
    const timer = setInterval(() => setNow(Date.now()), REFRESH_MS);
    return () => clearInterval(timer);
  }, [auto]);
  const range = RANGES[rangeIndex];
  const from = new Date(now - range.ms).toISOString();
  const to = new Date(now).toISOString();
  const base = { from, to };
  const totals = useApi<Stats>(`/admin/stats${query(base)}`);
  const overTime = useApi<Stats>(`/admin/stats${query({ ...base, interval: range.interval })}`);
  const byModelTime = useApi<Stats>(
    `/admin/stats${query({ ...base, interval: range.interval, groupBy: 'model' })}`,
  );
  const byKeyTime = useApi<Stats>(
    `/admin/stats${query({ ...base, interval: range.interval, groupBy: 'virtualKey' })}`,
  );
  const byModel = useApi<Stats>(`/admin/stats${query({ ...base, groupBy: 'model' })}`);
  const byKey = useApi<Stats>(`/admin/stats${query({ ...base, groupBy: 'virtualKey' })}`);

  const stepMs = INTERVAL_MS[range.interval];
  const starts = useMemo(() => bucketStarts(now - range.ms, now, stepMs), [now, range, stepMs]);
  const times = useMemo(() => starts.map((t) => t / 1000), [starts]);
  const rows = overTime.data?.data ?? [];
  const charts = useMemo(
    () => ({
      rate: [
        {
          label: 'requests/s',
          values: seriesOf(rows, starts, (r) => r.requests / (stepMs / 1000)),
        },
      ],
      errors: [{ label: 'error rate', values: seriesOf(rows, starts, (r) => r.error_rate, null) }],
      latency: [
        { label: 'p50', values: seriesOf(rows, starts, (r) => r.latency_p50_ms, null) },
        { label: 'p95', values: seriesOf(rows, starts, (r) => r.latency_p95_ms, null) },
      ],
      ttft: [
        { label: 'p50', values: seriesOf(rows, starts, (r) => r.ttft_p50_ms, null) },
        { label: 'p95', values: seriesOf(rows, starts, (r) => r.ttft_p95_ms, null) },
      ],
      tokens: [
        { label: 'prompt', values: seriesOf(rows, starts, (r) => r.prompt_tokens) },
        { label: 'completion', values: seriesOf(rows, starts, (r) => r.completion_tokens) },
      ],
      cost: [{ label: 'cost', values: seriesOf(rows, starts, (r) => r.cost_usd) }],
      byModel: groupedSeries(byModelTime.data?.data ?? [], starts, (r) => r.requests),
      costByKey: groupedSeries(byKeyTime.data?.data ?? [], starts, (r) => r.cost_usd),
    }),
    [rows, starts, stepMs, byModelTime.data, byKeyTime.data],
  );
  const total = totals.data?.data[0];
  const seconds = range.ms / 1000;
  const error = totals.error ?? overTime.error ?? byModel.error ?? byKey.error;

  return (
    <section aria-labelledby="overview-title">
      <div class="page-head">
        <h1 id="overview-title">Overview</h1>
        <div class="controls">
          <label>
            Time range{' '}
            <select
              value={rangeIndex}
              onChange={(event) => {
                setRangeIndex(Number((event.target as HTMLSelectElement).value));
                setNow(Date.now());
              }}
            >
              {RANGES.map((option, index) => (
                <option key={option.label} value={index}>
                  {option.label}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={auto}
              onChange={(event) => setAuto((event.target as HTMLInputElement).checked)}
            />{' '}
            Refresh every 10 s
          </label>
          <button type="button" onClick={() => setNow(Date.now())}>
            Refresh now
          </button>
        </div>
      </div>
      <p class="hint">Times in your zone ({viewerZone}).</p>
      <ErrorNotice error={error} />
      {!totals.data && totals.loading ? <Loading /> : null}
      <dl class="tiles" aria-label="Totals for the range">
        <Tile label="Requests" value={count(total?.requests ?? 0)} testId="tile-requests" />
        <Tile label="Requests/s" value={((total?.requests ?? 0) / seconds).toFixed(3)} />
        <Tile label="Error rate" value={percent(total?.error_rate ?? 0)} testId="tile-error-rate" />
        <Tile
          label="Latency p50 / p95"
          value={`${ms(total?.latency_p50_ms)} / ${ms(total?.latency_p95_ms)}`}
        />
        <Tile
          label="First token p50 / p95"
          value={`${ms(total?.ttft_p50_ms)} / ${ms(total?.ttft_p95_ms)}`}
        />
        <Tile label="Tokens" value={count(total?.total_tokens ?? 0)} testId="tile-tokens" />
        <Tile label="Cost" value={usd(total?.cost_usd ?? 0)} />
      </dl>
      <div class="charts">
        <Chart title="Requests per second" times={times} series={charts.rate} format={twoPlaces} />
        <Chart title="Error rate" times={times} series={charts.errors} format={percent} />
        <Chart title="Latency" times={times} series={charts.latency} format={ms} />
        <Chart
          title="Time to first token (streams)"
          times={times}
          series={charts.ttft}
          format={ms}
        />
        <Chart title="Tokens" times={times} series={charts.tokens} format={whole} />
        <Chart title="Cost (USD)" times={times} series={charts.cost} format={usd} />
        <Chart title="Requests by model" times={times} series={charts.byModel} format={whole} />
        <Chart title="Cost by virtual key" times={times} series={charts.costByKey} format={usd} />
      </div>
      <div class="split">
        <GroupTable caption="By model" groupLabel="Model" rows={byModel.data?.data ?? []} />
        <GroupTable
          caption="By virtual key"
          groupLabel="Virtual key"
          rows={byKey.data?.data ?? []}
        />
      </div>
    </section>
  );
}

function Tile({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div class="tile">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}

function GroupTable({
  caption,
  groupLabel,
  rows,
}: {
  caption: string;
  groupLabel: string;
  rows: StatsRow[];
}) {
  const columns: Column<StatsRow>[] = [
    {
      key: 'group',
      label: groupLabel,
      sortValue: (r) => r.group,
      render: (r) => r.group ?? '(none)',
    },
    metricColumn('requests', 'Requests', (r) => r.requests, count),
    metricColumn('errors', 'Error rate', (r) => r.error_rate, percent),
    metricColumn('p95', 'p95', (r) => r.latency_p95_ms, ms),
    metricColumn('tokens', 'Tokens', (r) => r.total_tokens, count),
    metricColumn('cost', 'Cost', (r) => r.cost_usd, usd),
  ];
  return (
    <DataTable
      caption={caption}
      columns={columns}
      rows={rows}
      rowKey={(r) => r.group ?? '(none)'}
      empty="No traffic in this range."
      pageSize={10}
      initialSort={{ key: 'requests', direction: 'descending' }}
    />
  );
}
