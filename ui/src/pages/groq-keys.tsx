import type { GroqKeyStatus, GroqModelLimits } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ErrorNotice, Loading } from '../components/notice';
import { count, localTime, ms, percent, viewerZone } from '../format';
import { useApi } from '../use-api';

/** A model's name in the table: '' is Groq's model list. */
const modelName = (limits: GroqModelLimits) => limits.model || 'model list';

/**
 * What state a Groq key is in, in a word: the first of refused, resting, breaker, out of budget,
 * healthy. Groq limits each model on its own, so rests and budgets name their models.
 */
export function keyState(key: GroqKeyStatus): { text: string; tone: 'good' | 'warn' | 'bad' } {
  if (key.rejected) return { text: `refused by Groq (${key.rejected.status})`, tone: 'bad' };
  const resting = key.models.filter((m) => m.restingUntil);
  if (resting.length)
    return { text: `resting after a 429 (${resting.map(modelName).join(', ')})`, tone: 'warn' };
  if (key.breaker !== 'closed') return { text: `breaker ${key.breaker}`, tone: 'bad' };
  const spent = key.models.filter((m) => m.rateLimited);
  if (spent.length)
    return { text: `out of budget until reset (${spent.map(modelName).join(', ')})`, tone: 'warn' };
  return { text: 'healthy', tone: 'good' };
}

/** One line per model Groq has reported on: `model: what is left`. */
function perModel(key: GroqKeyStatus, left: (limits: GroqModelLimits) => string | undefined) {
  const lines = key.models.flatMap((m) => {
    const text = left(m);
    return text === undefined ? [] : [`${modelName(m)}: ${text}`];
  });
  return lines.length ? lines.join('; ') : '—';
}

const COLUMNS: Column<GroqKeyStatus>[] = [
  { key: 'id', label: 'Key', sortValue: (k) => k.id, render: (k) => <strong>{k.id}</strong> },
  {
    key: 'state',
    label: 'State',
    sortValue: (k) => keyState(k).text,
    render: (k) => {
      const state = keyState(k);
      return (
        <span class={`badge ${state.tone}`} data-testid={`groq-key-state-${k.id}`}>
          {state.text}
        </span>
      );
    },
  },
  {
    key: 'rests',
    label: 'Rests until',
    sortValue: (k) => k.restingUntil ?? null,
    render: (k) => perModel(k, (m) => (m.restingUntil ? localTime(m.restingUntil) : undefined)),
  },
  {
    key: 'breaker',
    label: 'Breaker',
    sortValue: (k) => k.breaker,
    render: (k) =>
      `${k.breaker}${k.trippedModels.length ? ` (${k.trippedModels.join(', ')})` : ''}`,
  },
  {
    key: 'errors',
    label: 'Error rate',
    numeric: true,
    sortValue: (k) => k.errorRate,
    render: (k) => percent(k.errorRate),
  },
  {
    key: 'latency',
    label: 'Latency',
    numeric: true,
    sortValue: (k) => k.latencyMs,
    render: (k) => ms(k.latencyMs || null),
  },
  {
    key: 'requests',
    label: 'Requests left',
    sortValue: (k) => minOf(k.models.map((m) => m.remainingRequests)),
    render: (k) =>
      perModel(k, (m) =>
        m.remainingRequests === undefined
          ? undefined
          : `${count(m.remainingRequests)}${m.requestsResetAt ? ` (reset ${localTime(m.requestsResetAt)})` : ''}`,
      ),
  },
  {
    key: 'tokens',
    label: 'Tokens left',
    sortValue: (k) => minOf(k.models.map((m) => m.remainingTokens)),
    render: (k) =>
      perModel(k, (m) =>
        m.remainingTokens === undefined
          ? undefined
          : `${count(m.remainingTokens)}${m.limitTokens ? ` of ${count(m.limitTokens)}` : ''}${m.tokensResetAt ? ` (reset ${localTime(m.tokensResetAt)})` : ''}`,
      ),
  },
  {
    key: 'weight',
    label: 'Weight',
    numeric: true,
    sortValue: (k) => k.weight,
    render: (k) => String(k.weight),
  },
];

/** The least of the numbers known, for sorting; null when none is. */
function minOf(values: Array<number | undefined>): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length ? Math.min(...known) : null;
}

/** The Groq key pool on this replica: health, rests, breakers, what Groq says is left. */
export function GroqKeys() {
  const keys = useApi<{ data: GroqKeyStatus[] }>('/admin/groq-keys', 5_000);
  return (
    <section aria-labelledby="groq-title">
      <div class="page-head">
        <h1 id="groq-title">Groq keys</h1>
        <button type="button" onClick={keys.reload}>
          Refresh now
        </button>
      </div>
      <p class="hint">
        This replica's view, refreshed every 5 s; Groq limits each model on its own, so rests and
        remaining requests and tokens (Groq's x-ratelimit headers as last seen) are per model. Key
        values are never shown. Times in your zone ({viewerZone}).
      </p>
      <ErrorNotice error={keys.error} />
      {keys.loading && !keys.data ? <Loading /> : null}
      <DataTable
        caption="Groq keys"
        columns={COLUMNS}
        rows={keys.data?.data ?? []}
        rowKey={(k) => k.id}
        empty="No Groq keys are configured."
      />
    </section>
  );
}
