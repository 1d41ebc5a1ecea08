import type { GuardrailEvent, GuardrailPolicyView, GuardrailsView } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import { ErrorNotice, Loading } from '../components/notice';
import { count, localTime, viewerZone } from '../format';
import { href } from '../router';
import { useApi } from '../use-api';

const TONE: Record<GuardrailEvent['outcome'], string> = {
  blocked: 'bad',
  error: 'bad',
  flagged: 'warn',
  redacted: 'warn',
};

/** What a policy checks, in a few words. */
function policyDetail(policy: GuardrailPolicyView): string {
  const list = (value: unknown) => (Array.isArray(value) ? value.join(', ') : '');
  switch (policy.kind) {
    case 'pii':
      return list(policy.entities);
    case 'keywords':
      return `${(policy.words as string[] | undefined)?.length ?? 0} words`;
    case 'regex':
      return list(policy.patterns);
    case 'moderation':
      return `${String(policy.model)}${Array.isArray(policy.categories) && policy.categories.length ? ` (${list(policy.categories)})` : ''}, on error ${String(policy.onError)}`;
    case 'json_schema':
      return policy.schema ? 'a fixed schema' : "the request's response_format schema";
    case 'webhook':
      return `${String(policy.url)}, on error ${String(policy.onError)}`;
    default:
      return '';
  }
}

/** Guardrails: the policies, what they did since this replica started, and the latest decisions. */
export function Guardrails() {
  const view = useApi<GuardrailsView>('/admin/guardrails', 10_000);
  const data = view.data;
  const counts = data?.counts ?? null;
  const policyColumns: Column<GuardrailPolicyView>[] = [
    { key: 'id', label: 'Policy', sortValue: (p) => p.id, render: (p) => <strong>{p.id}</strong> },
    { key: 'kind', label: 'Kind', sortValue: (p) => p.kind, render: (p) => p.kind },
    { key: 'stage', label: 'Stage', sortValue: (p) => p.stage, render: (p) => p.stage },
    { key: 'action', label: 'Action', sortValue: (p) => p.action, render: (p) => p.action },
    {
      key: 'applies',
      label: 'Applies to',
      render: (p) =>
        data?.defaults.includes(p.id) ? 'every call' : 'keys that name it (guardrails:)',
    },
    { key: 'detail', label: 'Checks', render: (p) => <code>{policyDetail(p)}</code> },
  ];
  if (counts)
    for (const outcome of ['blocked', 'flagged', 'redacted', 'error'] as const)
      policyColumns.push({
        key: outcome,
        label: outcome[0].toUpperCase() + outcome.slice(1),
        numeric: true,
        sortValue: (p) => counts[p.id]?.[outcome] ?? 0,
        render: (p) => count(counts[p.id]?.[outcome] ?? 0),
      });
  const eventColumns: Column<GuardrailEvent>[] = [
    {
      key: 'time',
      label: `Time (${viewerZone})`,
      sortValue: (e) => e.time,
      render: (e) => localTime(e.time),
    },
    {
      key: 'request',
      label: 'Request',
      render: (e) => <a href={href('logs', e.requestId)}>{e.requestId}</a>,
    },
    { key: 'policy', label: 'Policy', sortValue: (e) => e.policy, render: (e) => e.policy },
    { key: 'stage', label: 'Stage', sortValue: (e) => e.stage, render: (e) => e.stage },
    {
      key: 'outcome',
      label: 'Outcome',
      sortValue: (e) => e.outcome,
      render: (e) => <span class={`badge ${TONE[e.outcome]}`}>{e.outcome}</span>,
    },
    { key: 'category', label: 'Category', render: (e) => e.category ?? '—' },
    {
      key: 'status',
      label: 'Status',
      numeric: true,
      sortValue: (e) => e.status,
      render: (e) => e.status,
    },
    { key: 'model', label: 'Model', sortValue: (e) => e.model, render: (e) => e.model ?? '—' },
    {
      key: 'key',
      label: 'Virtual key',
      sortValue: (e) => e.virtualKey,
      render: (e) => e.virtualKey ?? '—',
    },
  ];
  return (
    <section aria-labelledby="guardrails-title">
      <div class="page-head">
        <h1 id="guardrails-title">Guardrails</h1>
        <button type="button" onClick={view.reload}>
          Refresh now
        </button>
      </div>
      <ErrorNotice error={view.error} />
      {view.loading && !data ? <Loading /> : null}
      {data ? (
        <>
          <p class="hint">
            Streams are checked in <strong>{data.streaming.mode}</strong> mode
            {data.streaming.mode === 'window' ? ` (${data.streaming.windowChars} characters)` : ''};
            a blocked call answers {data.blockedStatus}. Counts and decisions are this replica's
            since {localTime(data.since)}.
          </p>
          <DataTable
            caption="Policies"
            columns={policyColumns}
            rows={data.policies}
            rowKey={(p) => p.id}
            empty="No guardrail policies are configured (guardrails.policies in GATEWAY_CONFIG)."
          />
          <h2>Recent blocks and flags</h2>
          <DataTable
            caption={`Latest guardrail decisions (up to ${data.recentLimit}), newest first`}
            columns={eventColumns}
            rows={data.recent}
            rowKey={(e) => `${e.requestId}:${e.policy}:${e.stage}`}
            empty="No call has been blocked, flagged or redacted since this replica started."
            pageSize={25}
            initialSort={{ key: 'time', direction: 'descending' }}
          />
        </>
      ) : null}
    </section>
  );
}
