import type { ComponentChildren } from 'preact';
import { ErrorNotice, Loading } from '../components/notice';
import { useApi } from '../use-api';

type ConfigNode = string | number | boolean | null | ConfigNode[] | { [key: string]: ConfigNode };

/** Top-level sections of GET /admin/config, in the order shown, with their headings. */
const SECTIONS: [string, string][] = [
  ['server', 'Server'],
  ['groq', 'Groq'],
  ['models', 'Models and routes'],
  ['reliability', 'Retries and breaker'],
  ['redis', 'Redis'],
  ['governance', 'Governance'],
  ['guardrails', 'Guardrails'],
  ['requestLogs', 'Request logs'],
  ['alerts', 'Alerts'],
  ['auth', 'Sign-in'],
  ['network', 'Network'],
  ['observability', 'Observability'],
  ['secrets', 'Secrets'],
];

/** Settings: the effective configuration, read-only; secrets appear as references only. */
export function Settings() {
  const config = useApi<Record<string, ConfigNode>>('/admin/config');
  return (
    <section aria-labelledby="settings-title">
      <div class="page-head">
        <h1 id="settings-title">Settings</h1>
        <button type="button" onClick={config.reload}>
          Refresh
        </button>
      </div>
      <p class="hint">
        The configuration this gateway runs on (environment and GATEWAY_CONFIG), read-only. Secrets
        show where they come from, never their value.
      </p>
      <ErrorNotice error={config.error} />
      {config.loading && !config.data ? <Loading /> : null}
      {config.data ? (
        <nav class="toc" aria-label="Settings sections">
          {SECTIONS.map(([key, title]) => (
            <a key={key} href={`#settings-${key}`} onClick={(e) => jump(e, `settings-${key}`)}>
              {title}
            </a>
          ))}
        </nav>
      ) : null}
      {config.data
        ? SECTIONS.map(([key, title]) => (
            <section
              key={key}
              class="panel wide config"
              id={`settings-${key}`}
              aria-labelledby={`settings-${key}-title`}
            >
              <h2 id={`settings-${key}-title`} tabIndex={-1}>
                {title}
              </h2>
              <Value value={config.data![key] ?? null} />
            </section>
          ))
        : null}
    </section>
  );
}

/** In-page links would change the hash route: scroll instead. */
function jump(event: Event, id: string) {
  event.preventDefault();
  const target = document.getElementById(id);
  target?.scrollIntoView({ block: 'start' });
  target?.querySelector('h2')?.focus();
}

function isSecret(value: ConfigNode): value is { secretRef: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof value.secretRef === 'string'
  );
}

function Value({ value }: { value: ConfigNode }): ComponentChildren {
  if (value === null) return <span class="hint">not set</span>;
  if (value === 'set (redacted)')
    return (
      <span class="badge secret-badge" title="Written inline: the value is never shown">
        secret · set (redacted)
      </span>
    );
  if (isSecret(value))
    return (
      <span>
        <span class="badge secret-badge">secret</span> <code>{value.secretRef}</code>
      </span>
    );
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'number') return <span class="num">{value}</span>;
  if (typeof value === 'string') return <code>{value}</code>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="hint">none</span>;
    if (value.every((v) => typeof v !== 'object' || v === null))
      return <span>{value.map((v, i) => [i > 0 ? ', ' : '', <Value key={i} value={v} />])}</span>;
    return (
      <ol class="config-list">
        {value.map((item, i) => (
          <li key={i}>
            <Value value={item} />
          </li>
        ))}
      </ol>
    );
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return <span class="hint">none</span>;
  return (
    <dl class="config-tree">
      {entries.map(([key, item]) => (
        <div key={key}>
          <dt>{key}</dt>
          <dd>
            <Value value={item} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
