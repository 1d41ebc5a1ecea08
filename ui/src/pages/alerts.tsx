import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { AlertDelivery, AlertInstance, AlertRule, AlertScope, AlertsView } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ErrorNotice, Loading } from '../components/notice';
import { localTime, viewerZone } from '../format';
import { useCan } from '../session';
import { useApi } from '../use-api';

interface TestReport {
  channel: string;
  outcome: string;
  attempts: number;
  error?: string;
}

/** "virtual key search-key, model groq/x", or "gateway". */
export function scopeText(scope: AlertScope): string {
  const parts = [
    scope.virtualKey && `virtual key ${scope.virtualKey}`,
    scope.model && `model ${scope.model}`,
    scope.keyId && `Groq key ${scope.keyId}`,
    scope.store && `store ${scope.store}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'gateway';
}

const OUTCOME_TONE: Record<AlertDelivery['outcome'], string> = {
  sent: 'good',
  failed: 'bad',
  refused: 'bad',
  dropped: 'warn',
};

/** Alerts: rules and their state, the alerts firing, channels (with a test), recent deliveries. */
export function Alerts() {
  const can = useCan();
  const view = useApi<AlertsView>('/admin/alerts', 10_000);
  const deliveries = useApi<{ data: AlertDelivery[] }>('/admin/alerts/deliveries', 10_000);
  const [report, setReport] = useState<TestReport>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState<string>();
  const data = view.data;

  const sendTest = async (channel: string) => {
    setBusy(channel);
    setError(undefined);
    setReport(undefined);
    try {
      setReport(
        await api<TestReport>(`/admin/alerts/test?channel=${encodeURIComponent(channel)}`, {
          method: 'POST',
        }),
      );
      deliveries.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(undefined);
    }
  };

  const ruleColumns: Column<AlertRule>[] = [
    { key: 'id', label: 'Rule', sortValue: (r) => r.id, render: (r) => <strong>{r.id}</strong> },
    { key: 'kind', label: 'Kind', sortValue: (r) => r.kind, render: (r) => r.kind },
    {
      key: 'state',
      label: 'State',
      sortValue: (r) => r.state,
      render: (r) => (
        <span class={`badge ${r.state === 'firing' ? 'bad' : 'good'}`}>
          {r.state === 'firing'
            ? `firing (${r.alerts.filter((a) => a.state === 'firing').length})`
            : 'ok'}
        </span>
      ),
    },
    {
      key: 'since',
      label: 'Firing since',
      sortValue: (r) => r.firingSince,
      render: (r) => localTime(r.firingSince),
    },
    { key: 'channels', label: 'Channels', render: (r) => r.channels.join(', ') },
    {
      key: 'sent',
      label: 'Last sent',
      sortValue: (r) => r.lastSent,
      render: (r) => localTime(r.lastSent),
    },
    { key: 'error', label: 'Last error', render: (r) => r.lastError ?? '—' },
  ];
  const alertColumns: Column<AlertInstance & { rule: string }>[] = [
    { key: 'rule', label: 'Rule', sortValue: (a) => a.rule, render: (a) => a.rule },
    { key: 'scope', label: 'Scope', render: (a) => scopeText(a.scope) },
    {
      key: 'state',
      label: 'State',
      sortValue: (a) => a.state,
      render: (a) => (
        <span class={`badge ${a.state === 'firing' ? 'bad' : 'good'}`}>{a.state}</span>
      ),
    },
    { key: 'since', label: 'Since', sortValue: (a) => a.since, render: (a) => localTime(a.since) },
    { key: 'summary', label: 'Summary', render: (a) => a.summary },
    { key: 'error', label: 'Last error', render: (a) => a.lastError ?? '—' },
  ];
  const deliveryColumns: Column<AlertDelivery>[] = [
    {
      key: 'time',
      label: `Time (${viewerZone})`,
      sortValue: (d) => d.time,
      render: (d) => localTime(d.time),
    },
    { key: 'channel', label: 'Channel', sortValue: (d) => d.channel, render: (d) => d.channel },
    { key: 'rule', label: 'Rule', sortValue: (d) => d.rule, render: (d) => d.rule },
    { key: 'state', label: 'Message', render: (d) => `${d.state}: ${d.summary}` },
    {
      key: 'outcome',
      label: 'Outcome',
      sortValue: (d) => d.outcome,
      render: (d) => <span class={`badge ${OUTCOME_TONE[d.outcome]}`}>{d.outcome}</span>,
    },
    { key: 'attempts', label: 'Attempts', numeric: true, render: (d) => d.attempts },
    { key: 'error', label: 'Error', render: (d) => d.error ?? '—' },
  ];
  const channelColumns: Column<{ id: string; kind: string }>[] = [
    { key: 'id', label: 'Channel', sortValue: (c) => c.id, render: (c) => <strong>{c.id}</strong> },
    { key: 'kind', label: 'Kind', sortValue: (c) => c.kind, render: (c) => c.kind },
  ];
  if (can('alerts.write'))
    channelColumns.push({
      key: 'test',
      label: 'Test',
      render: (c) => (
        <button
          type="button"
          onClick={() => void sendTest(c.id)}
          disabled={busy !== undefined}
          aria-label={`Send a test to ${c.id}`}
        >
          {busy === c.id ? 'Sending…' : 'Send test'}
        </button>
      ),
    });
  const instances = (data?.rules ?? []).flatMap((r) => r.alerts.map((a) => ({ ...a, rule: r.id })));

  return (
    <section aria-labelledby="alerts-title">
      <div class="page-head">
        <h1 id="alerts-title">Alerts</h1>
        <button
          type="button"
          onClick={() => {
            view.reload();
            deliveries.reload();
          }}
        >
          Refresh now
        </button>
      </div>
      <ErrorNotice error={error ?? view.error} />
      {report ? (
        <p
          class={`notice${report.outcome === 'sent' ? '' : ' error'}`}
          role="status"
          data-testid="test-report"
        >
          Test to {report.channel}: {report.outcome}
          {report.error ? ` (${report.error})` : ''}.
        </p>
      ) : null}
      {view.loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <p class="hint">
            {data.mode === 'fleet'
              ? `Fleet mode (Redis): ${data.leader ? 'this replica evaluates and sends' : 'another replica evaluates and sends'}.`
              : 'Replica mode: this replica alerts on its own traffic.'}{' '}
            Rules are evaluated every {data.evaluateSeconds} s; {data.queued} message(s) waiting.
            {data.error ? ` ${data.error}.` : ''}
          </p>
          <DataTable
            caption="Rules"
            columns={ruleColumns}
            rows={data.rules}
            rowKey={(r) => r.id}
            empty="No alert rules are configured (alerts.rules in GATEWAY_CONFIG)."
          />
          <DataTable
            caption="Alerts by scope"
            columns={alertColumns}
            rows={instances}
            rowKey={(a) => a.alertKey}
            empty="Nothing has fired."
            pageSize={25}
          />
          <DataTable
            caption="Channels"
            columns={channelColumns}
            rows={data.channels}
            rowKey={(c) => c.id}
            empty="No alert channels are configured (alerts.channels in GATEWAY_CONFIG)."
          />
        </>
      ) : null}
      <DataTable
        caption="Recent deliveries, newest first"
        columns={deliveryColumns}
        rows={deliveries.data?.data ?? []}
        rowKey={(d) => `${d.time}:${d.channel}:${d.rule}:${d.state}`}
        empty="No message has been sent since this replica started."
        pageSize={25}
        initialSort={{ key: 'time', direction: 'descending' }}
      />
    </section>
  );
}
