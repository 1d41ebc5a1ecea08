import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Team, TeamUsage } from '../api/types';
import { DataTable, type Column } from '../components/data-table';
import {
  BudgetFields,
  budgetBody,
  fieldSetter,
  InputField,
  type BudgetForm,
} from '../components/form-fields';
import { FormPanel } from '../components/form-panel';
import { ErrorNotice, Loading } from '../components/notice';
import { UsageBar } from '../components/usage-bar';
import { localTime, usd } from '../format';
import { useCan } from '../session';
import { useAdminAction, useApi, useUsages } from '../use-api';

interface TeamForm extends BudgetForm {
  id: string;
  name: string;
}

const EMPTY: TeamForm = { id: '', name: '', budgetUsd: '', budgetPeriod: 'monthly' };

/** Teams: their budgets and this period's spend of all their keys; create, edit, delete. */
export function Teams() {
  const can = useCan();
  const writable = can('teams.write');
  const teams = useApi<{ data: Team[] }>('/admin/teams', 15_000);
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState<TeamForm>(EMPTY);
  const [editing, setEditing] = useState<Team>();
  const list = teams.data?.data ?? [];

  const usage = useUsages<TeamUsage>(
    can('usage.read') ? list.map((team) => team.id) : null,
    (id) => `/admin/teams/${encodeURIComponent(id)}/usage`,
    teams.data,
  );
  const { act, busy, error } = useAdminAction(teams.reload);
  const set = fieldSetter(form, setForm);
  const create = () => {
    void act(async () => {
      const budget = budgetBody(form);
      await api('/admin/teams', {
        method: 'POST',
        body: {
          id: form.id.trim(),
          ...(form.name.trim() && { name: form.name.trim() }),
          ...(budget && { budget }),
        },
      });
      setForm(EMPTY);
      setCreating(false);
    });
  };
  const remove = (team: Team) => {
    if (!confirm(`Delete team ${team.id}? This cannot be undone.`)) return;
    void act(async () => {
      await api(`/admin/teams/${encodeURIComponent(team.id)}`, { method: 'DELETE' });
    });
  };

  const columns: Column<Team>[] = [
    {
      key: 'id',
      label: 'Team',
      sortValue: (t) => t.id,
      render: (t) => (
        <>
          <strong>{t.id}</strong>
          {t.name ? <div class="hint">{t.name}</div> : null}
        </>
      ),
    },
    {
      key: 'keys',
      label: 'Live keys',
      numeric: true,
      sortValue: (t) => t.keys,
      render: (t) => t.keys,
    },
    {
      key: 'budget',
      label: 'Budget this period',
      sortValue: (t) => t.budget?.usd ?? null,
      render: (t) => {
        const used = usage[t.id];
        if (!used) return t.budget ? `${usd(t.budget.usd)} ${t.budget.period}` : 'none';
        return (
          <UsageBar
            label={`${t.id} ${used.period} budget`}
            used={used.spentUsd + (used.budget?.reservedUsd ?? 0)}
            limit={used.budget?.usd ?? null}
            format={usd}
          />
        );
      },
    },
    {
      key: 'resets',
      label: 'Period resets',
      render: (t) => (usage[t.id] ? localTime(usage[t.id].resetsAt) : '—'),
    },
    {
      key: 'source',
      label: 'Source',
      sortValue: (t) => t.source,
      render: (t) => (t.source === 'config' ? 'GATEWAY_CONFIG' : 'admin API'),
    },
  ];
  if (writable)
    columns.push({
      key: 'actions',
      label: 'Actions',
      render: (t) =>
        t.source === 'admin' ? (
          <span class="actions">
            <button type="button" onClick={() => setEditing(t)} aria-label={`Edit ${t.id}`}>
              Edit
            </button>
            {t.keys === 0 ? (
              <button
                type="button"
                class="danger"
                onClick={() => remove(t)}
                aria-label={`Delete ${t.id}`}
                disabled={busy}
              >
                Delete
              </button>
            ) : null}
          </span>
        ) : (
          <span class="hint">set in GATEWAY_CONFIG</span>
        ),
    });

  return (
    <section aria-labelledby="teams-title">
      <div class="page-head">
        <h1 id="teams-title">Teams</h1>
        {writable && !creating ? (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create team
          </button>
        ) : null}
      </div>
      <p class="hint">
        A team's budget caps the spend of all its virtual keys together, on top of each key's own.
      </p>
      <ErrorNotice error={error ?? teams.error} />
      {creating ? (
        <FormPanel
          label="Create a team"
          title="New team"
          submitLabel="Create"
          busy={busy}
          onSubmit={create}
          onCancel={() => setCreating(false)}
        >
          <InputField
            id="t-id"
            label="Id"
            value={form.id}
            onInput={set('id')}
            pattern="[\w.\-]{1,64}"
            required
          />
          <InputField id="t-name" label="Name" value={form.name} onInput={set('name')} />
          <BudgetFields form={form} set={set} prefix="t" />
        </FormPanel>
      ) : null}
      {editing ? (
        <EditTeam
          key={editing.id}
          team={editing}
          busy={busy}
          onCancel={() => setEditing(undefined)}
          onSave={(body) =>
            act(async () => {
              await api(`/admin/teams/${encodeURIComponent(editing.id)}`, {
                method: 'PATCH',
                body,
              });
              setEditing(undefined);
            })
          }
        />
      ) : null}
      {teams.loading && !teams.data ? <Loading /> : null}
      <DataTable
        caption="Teams"
        columns={columns}
        rows={list}
        rowKey={(t) => t.id}
        empty={writable ? 'No teams yet: create one.' : 'No teams you belong to.'}
        pageSize={25}
        initialSort={{ key: 'id', direction: 'ascending' }}
      />
    </section>
  );
}

function EditTeam({
  team,
  busy,
  onSave,
  onCancel,
}: {
  team: Team;
  busy: boolean;
  onSave: (body: Record<string, unknown>) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<TeamForm>({
    id: team.id,
    name: team.name ?? '',
    budgetUsd: team.budget?.usd.toString() ?? '',
    budgetPeriod: team.budget?.period ?? 'monthly',
  });
  const set = fieldSetter(form, setForm);
  return (
    <FormPanel
      label={`Edit ${team.id}`}
      title={`Team ${team.id}`}
      hint="Leave the budget empty for none."
      submitLabel="Save team"
      busy={busy}
      onSubmit={() =>
        onSave({ ...(form.name.trim() && { name: form.name.trim() }), budget: budgetBody(form) })
      }
      onCancel={onCancel}
    >
      <InputField id="te-name" label="Name" value={form.name} onInput={set('name')} />
      <BudgetFields form={form} set={set} prefix="te" />
    </FormPanel>
  );
}
