import type { GroqKeyStatus } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ErrorNotice, Loading } from '../components/notice';
import { count, localTime, ms, percent, viewerZone } from '../format';
import { useApi } from '../use-api';

/** What state a Groq key is in, in a word: the first of refused, resting, breaker, healthy. */
export function keyState(key: GroqKeyStatus): { text: string; tone: 'good' | 'warn' | 'bad' } {
  if (key.rejected) return { text: `refused by Groq (${key.rejected.status})`, tone: 'bad' };
  if (key.restingUntil) return { text: 'resting after a 429', tone: 'warn' };
  if (key.breaker !== 'closed') return { text: `breaker ${key.breaker}`, tone: 'bad' };
  if (!key.available) return { text: 'out of budget until reset', tone: 'warn' };
  return { text: 'healthy', tone: 'good' };
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
    render: (k) => (k.restingUntil ? localTime(k.restingUntil) : '—'),
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
    numeric: true,
    sortValue: (k) => k.remainingRequests ?? null,
    render: (k) =>
      `${count(k.remainingRequests)}${k.requestsResetAt ? ` (reset ${localTime(k.requestsResetAt)})` : ''}`,
  },
  {
    key: 'tokens',
    label: 'Tokens left',
    numeric: true,
    sortValue: (k) => k.remainingTokens ?? null,
    render: (k) =>
      `${count(k.remainingTokens)}${k.limitTokens ? ` of ${count(k.limitTokens)}` : ''}${k.tokensResetAt ? ` (reset ${localTime(k.tokensResetAt)})` : ''}`,
  },
  {
    key: 'weight',
    label: 'Weight',
    numeric: true,
    sortValue: (k) => k.weight,
    render: (k) => String(k.weight),
  },
];

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
        This replica's view, refreshed every 5 s; remaining requests and tokens are Groq's
        x-ratelimit headers as last seen. Key values are never shown. Times in your zone (
        {viewerZone}).
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
