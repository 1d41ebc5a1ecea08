import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { KeyUsage, Team, VirtualKey } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import {
  BudgetFields,
  budgetBody,
  fieldSetter,
  InputField,
  SelectField,
  type BudgetForm,
  type FieldGroupProps,
} from '../components/form-fields';
import { FormPanel } from '../components/form-panel';
import { ErrorNotice, Loading } from '../components/notice';
import { SecretOnce } from '../components/secret-once';
import { UsageBar } from '../components/usage-bar';
import { count, localTime, usd } from '../format';
import { useCan } from '../session';
import { useAdminAction, useApi, useUsages } from '../use-api';

interface LimitsForm extends BudgetForm {
  name: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
}

interface CreateForm extends LimitsForm {
  id: string;
  team: string;
  models: string;
}

const EMPTY_CREATE: CreateForm = {
  id: '',
  team: '',
  models: '',
  name: '',
  requestsPerMinute: '',
  tokensPerMinute: '',
  budgetUsd: '',
  budgetPeriod: 'monthly',
};

const whole = (text: string) => (text.trim() === '' ? null : Number(text));

/** The limits part of a body: blanks are no limit (null on an edit removes it). */
function limitsBody(form: LimitsForm) {
  return {
    name: form.name.trim() || null,
    requestsPerMinute: whole(form.requestsPerMinute),
    tokensPerMinute: whole(form.tokensPerMinute),
    budget: budgetBody(form),
  };
}

function withoutNulls(body: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/** Virtual keys: their limits and use against them; create, change, rotate and revoke. */
export function Keys() {
  const can = useCan();
  const writable = can('keys.write');
  const keys = useApi<{ data: VirtualKey[] }>('/admin/keys', 15_000);
  const teams = useApi<{ data: Team[] }>(can('teams.read') ? '/admin/teams' : null);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState<CreateForm>(EMPTY_CREATE);
  const [editing, setEditing] = useState<VirtualKey>();
  const [secret, setSecret] = useState<{ title: string; value: string }>();

  const list = keys.data?.data ?? [];
  const usage = useUsages<KeyUsage>(
    list.filter((key) => key.status === 'active').map((key) => key.id),
    (id) => `/admin/keys/${encodeURIComponent(id)}/usage`,
    keys.data,
  );
  const { act, busy, error } = useAdminAction(keys.reload);
  const create = () => {
    void act(async () => {
      const made = await api<VirtualKey & { key: string }>('/admin/keys', {
        method: 'POST',
        body: withoutNulls({
          id: form.id.trim() || null,
          team: form.team.trim() || null,
          models: form.models.trim()
            ? form.models
                .split(',')
                .map((m) => m.trim())
                .filter(Boolean)
            : null,
          ...limitsBody(form),
        }),
      });
      setSecret({ title: `Key ${made.id} created`, value: made.key });
      setForm(EMPTY_CREATE);
      setCreating(false);
    });
  };
  const rotate = (key: VirtualKey) => {
    if (!confirm(`Rotate ${key.id}? Its current key stops working at once.`)) return;
    void act(async () => {
      const rotated = await api<VirtualKey & { key: string }>(
        `/admin/keys/${encodeURIComponent(key.id)}/rotate`,
        { method: 'POST' },
      );
      setSecret({ title: `Key ${rotated.id} rotated`, value: rotated.key });
    });
  };
  const revoke = (key: VirtualKey) => {
    if (!confirm(`Revoke ${key.id}? Calls with it are refused from now on; this cannot be undone.`))
      return;
    void act(async () => {
      await api(`/admin/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
    });
  };

  const columns: Column<VirtualKey>[] = [
    {
      key: 'id',
      label: 'Key',
      sortValue: (k) => k.id,
      render: (k) => (
        <>
          <strong>{k.id}</strong>
          {k.name ? <div class="hint">{k.name}</div> : null}
        </>
      ),
    },
    { key: 'team', label: 'Team', sortValue: (k) => k.team ?? null, render: (k) => k.team ?? '—' },
    { key: 'hint', label: 'Ends with', render: (k) => <code>{k.hint ?? '—'}</code> },
    {
      key: 'status',
      label: 'Status',
      sortValue: (k) => k.status,
      render: (k) => (
        <span class={`badge ${k.status === 'active' ? 'good' : 'bad'}`}>
          {k.status}
          {k.source === 'config' ? ' · config' : ''}
        </span>
      ),
    },
    {
      key: 'rpm',
      label: 'Requests this minute',
      render: (k) =>
        usage[k.id] ? (
          <UsageBar
            label={`${k.id} requests per minute`}
            used={usage[k.id].lastMinute.requests}
            limit={usage[k.id].lastMinute.requestsPerMinute}
            format={count}
          />
        ) : (
          '—'
        ),
    },
    {
      key: 'tpm',
      label: 'Tokens this minute',
      render: (k) =>
        usage[k.id] ? (
          <UsageBar
            label={`${k.id} tokens per minute`}
            used={usage[k.id].lastMinute.tokens}
            limit={usage[k.id].lastMinute.tokensPerMinute}
            format={count}
          />
        ) : (
          '—'
        ),
    },
    {
      key: 'budget',
      label: 'Budget',
      sortValue: (k) => k.budget?.usd ?? null,
      render: (k) => {
        const budget = usage[k.id]?.budget;
        if (budget)
          return (
            <UsageBar
              label={`${k.id} ${budget.period} budget`}
              used={budget.spentUsd + budget.reservedUsd}
              limit={budget.usd}
              format={usd}
            />
          );
        return k.budget ? `${usd(k.budget.usd)} ${k.budget.period}` : 'none';
      },
    },
    {
      key: 'created',
      label: 'Created',
      sortValue: (k) => k.createdAt,
      render: (k) => (Date.parse(k.createdAt) > 0 ? localTime(k.createdAt) : '—'),
    },
  ];
  if (writable)
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (k) =>
        k.source === 'admin' && k.status === 'active' ? (
          <span class="actions">
            <button
              type="button"
              onClick={() => setEditing(k)}
              aria-label={`Edit limits of ${k.id}`}
            >
              Edit
            </button>
            <button
              type="button"
              onClick={() => rotate(k)}
              aria-label={`Rotate ${k.id}`}
              disabled={busy}
            >
              Rotate
            </button>
            <button
              type="button"
              class="danger"
              onClick={() => revoke(k)}
              aria-label={`Revoke ${k.id}`}
              disabled={busy}
            >
              Revoke
            </button>
          </span>
        ) : (
          <span class="hint">{k.source === 'config' ? 'set in GATEWAY_CONFIG' : '—'}</span>
        ),
    });

  const set = fieldSetter(form, setForm);

  return (
    <section aria-labelledby="keys-title">
      <div class="page-head">
        <h1 id="keys-title">Virtual keys</h1>
        {writable && !creating ? (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create key
          </button>
        ) : null}
      </div>
      {secret ? (
        <SecretOnce title={secret.title} value={secret.value} onDone={() => setSecret(undefined)} />
      ) : null}
      <ErrorNotice error={error ?? keys.error} />
      {creating ? (
        <FormPanel
          label="Create a virtual key"
          title="New virtual key"
          submitLabel="Create"
          busy={busy}
          onSubmit={create}
          onCancel={() => setCreating(false)}
        >
          <InputField
            id="k-id"
            label="Id (optional)"
            value={form.id}
            onInput={set('id')}
            pattern="[\w.\-]{1,64}"
          />
          <InputField id="k-name" label="Name" value={form.name} onInput={set('name')} />
          {teams.data ? (
            <SelectField
              id="k-team"
              label="Team"
              value={form.team}
              onChange={set('team')}
              options={[
                { value: '', label: 'no team' },
                ...teams.data.data.map((t) => ({
                  value: t.id,
                  label: t.name ? `${t.name} (${t.id})` : t.id,
                })),
              ]}
            />
          ) : (
            <InputField id="k-team" label="Team" value={form.team} onInput={set('team')} />
          )}
          <InputField
            id="k-models"
            label="Models (comma-separated; empty: all)"
            value={form.models}
            onInput={set('models')}
          />
          <LimitFields form={form} set={set} prefix="k" />
        </FormPanel>
      ) : null}
      {editing ? (
        <EditLimits
          key={editing.id}
          item={editing}
          busy={busy}
          onCancel={() => setEditing(undefined)}
          onSave={(body) =>
            act(async () => {
              await api(`/admin/keys/${encodeURIComponent(editing.id)}`, { method: 'PATCH', body });
              setEditing(undefined);
            })
          }
        />
      ) : null}
      {keys.loading && !keys.data ? <Loading /> : null}
      <DataTable
        caption="Virtual keys"
        columns={columns}
        rows={list}
        rowKey={(k) => k.id}
        empty={writable ? 'No virtual keys yet: create one.' : 'No virtual keys you may see.'}
        pageSize={25}
        initialSort={{ key: 'created', direction: 'descending' }}
      />
    </section>
  );
}

function LimitFields<T extends LimitsForm>({ form, set, prefix }: FieldGroupProps<T>) {
  return (
    <>
      <InputField
        id={`${prefix}-rpm`}
        label="Requests per minute"
        numeric="whole"
        value={form.requestsPerMinute}
        onInput={set('requestsPerMinute')}
      />
      <InputField
        id={`${prefix}-tpm`}
        label="Tokens per minute"
        numeric="whole"
        value={form.tokensPerMinute}
        onInput={set('tokensPerMinute')}
      />
      <BudgetFields form={form} set={set} prefix={prefix} />
    </>
  );
}

function EditLimits({
  item,
  busy,
  onSave,
  onCancel,
}: {
  item: VirtualKey;
  busy: boolean;
  onSave: (body: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<LimitsForm>({
    name: item.name ?? '',
    requestsPerMinute: item.requestsPerMinute?.toString() ?? '',
    tokensPerMinute: item.tokensPerMinute?.toString() ?? '',
    budgetUsd: item.budget?.usd.toString() ?? '',
    budgetPeriod: item.budget?.period ?? 'monthly',
  });
  const set = fieldSetter(form, setForm);
  return (
    <FormPanel
      label={`Edit ${item.id}`}
      title={`Limits of ${item.id}`}
      hint="Leave a field empty for no limit."
      submitLabel="Save limits"
      busy={busy}
      onSubmit={() => onSave(limitsBody(form))}
      onCancel={onCancel}
    >
      <InputField id="e-name" label="Name" value={form.name} onInput={set('name')} />
      <LimitFields form={form} set={set} prefix="e" />
    </FormPanel>
  );
}
