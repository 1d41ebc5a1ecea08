import type { ComponentChildren } from 'preact';
import type { LogRecord } from '../api/types';
import { ErrorNotice, Loading } from '../components/notice';
import { count, localTime, ms, statusClass, usd } from '../format';
import { href } from '../router';
import { useCan } from '../session';
import { useApi } from '../use-api';

/** One request: what was asked and answered, timings, attempts, fallbacks, guardrails, bodies. */
export function LogDetail({ requestId }: { requestId: string }) {
  const {
    data: r,
    error,
    loading,
  } = useApi<LogRecord>(`/admin/logs/${encodeURIComponent(requestId)}`);
  const can = useCan();
  return (
    <section aria-labelledby="detail-title">
      <p>
        <a href={href('logs')}>← Back to logs</a>
      </p>
      <h1 id="detail-title">Request {requestId}</h1>
      <ErrorNotice error={error} />
      {loading && !r ? <Loading /> : null}
      {r ? (
        <div class="detail">
          <Panel title="Outcome">
            <Fields
              rows={[
                [
                  'Status',
                  <span class={`status ${statusClass(r.status)}`} data-testid="detail-status">
                    {r.status}
                  </span>,
                ],
                ['Error code', r.error_code ?? '—'],
                ['Time', <time dateTime={r.time}>{localTime(r.time)}</time>],
                ['Route', `${r.method} ${r.path}`],
                ['API', r.api_family],
                ['Stream', r.stream ? 'yes' : 'no'],
              ]}
            />
          </Panel>
          <Panel title="Model and keys">
            <Fields
              rows={[
                ['Model asked', r.model_asked ?? '—'],
                ['Model served', r.model ?? '—'],
                ['Model route', r.model_route ?? '—'],
                ['Groq key', r.key_id ?? '—'],
                ['Virtual key', r.virtual_key_id ?? '—'],
                ['Team', r.team_id ?? '—'],
              ]}
            />
          </Panel>
          <Panel title="Timings">
            <Fields
              rows={[
                ['Latency', ms(r.latency_ms)],
                ['Time to first token', ms(r.time_to_first_token_ms)],
              ]}
            />
            <TimingBar total={r.latency_ms} firstToken={r.time_to_first_token_ms} />
          </Panel>
          <Panel title="Attempts and fallbacks">
            <Fields
              rows={[
                ['Attempts', count(r.attempts)],
                ['Retries', count(r.retries)],
                ['Fallbacks', count(r.fallbacks)],
                ['Served by a fallback', r.fallback_used ? 'yes' : 'no'],
              ]}
            />
          </Panel>
          <Panel title="Usage and cost">
            <Fields
              rows={[
                ['Prompt tokens', count(r.prompt_tokens)],
                ['Cached tokens', count(r.cached_tokens)],
                ['Completion tokens', count(r.completion_tokens)],
                ['Reasoning tokens', count(r.reasoning_tokens)],
                ['Total tokens', count(r.total_tokens)],
                ['Cost', usd(r.cost_usd)],
              ]}
            />
          </Panel>
          <Panel title="Client">
            <Fields
              rows={[
                ['Address', r.client_address ?? '—'],
                ['User agent', r.user_agent ?? '—'],
                ['Trace id', r.trace_id],
              ]}
            />
          </Panel>
          <Panel title="Guardrails" wide>
            {r.guardrails && r.guardrails.length > 0 ? (
              <table>
                <caption class="visually-hidden">Guardrail outcomes</caption>
                <thead>
                  <tr>
                    <th scope="col">Policy</th>
                    <th scope="col">Stage</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">Category</th>
                  </tr>
                </thead>
                <tbody>
                  {r.guardrails.map((g, index) => (
                    <tr key={index}>
                      <td>{g.policy}</td>
                      <td>{g.stage}</td>
                      <td>{g.outcome}</td>
                      <td>{g.category ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p class="empty">No guardrail ran on this request.</p>
            )}
          </Panel>
          <Panel title="Bodies" wide>
            {!can('logs.bodies') ? (
              <p class="empty">Your role may not see request and response bodies.</p>
            ) : r.request_body == null && r.response_body == null ? (
              <p class="empty">
                Bodies are not stored for this request (LOGS_BODIES is off, or the request had
                none).
              </p>
            ) : (
              <>
                <h3>Request body</h3>
                <pre tabIndex={0}>{pretty(r.request_body)}</pre>
                <h3>Response body</h3>
                <pre tabIndex={0}>{pretty(r.response_body)}</pre>
              </>
            )}
          </Panel>
        </div>
      ) : null}
    </section>
  );
}

function Panel({
  title,
  wide,
  children,
}: {
  title: string;
  wide?: boolean;
  children: ComponentChildren;
}) {
  return (
    <section class={wide ? 'panel wide' : 'panel'} aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Fields({ rows }: { rows: [string, ComponentChildren][] }) {
  return (
    <dl class="fields">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Latency split at the first token: waiting for Groq, then streaming. */
function TimingBar({ total, firstToken }: { total: number; firstToken: number | null }) {
  if (!total) return null;
  const first = firstToken === null ? null : Math.min(100, (firstToken / total) * 100);
  return (
    <div class="timing" aria-hidden="true">
      {first === null ? (
        <span class="bar whole" />
      ) : (
        <>
          <span class="bar wait" style={{ width: `${first}%` }} />
          <span class="bar stream" style={{ width: `${100 - first}%` }} />
        </>
      )}
    </div>
  );
}

function pretty(body: string | null | undefined): string {
  if (body == null) return '(not stored)';
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
