import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, credentials, setCsrfToken, whenUnauthorized } from './api/client';
import type { Me } from './api/types';
import { Loading } from './components/notice';
import { Alerts } from './pages/alerts';
import { GroqKeys } from './pages/groq-keys';
import { Guardrails } from './pages/guardrails';
import { Keys } from './pages/keys';
import { LogDetail } from './pages/log-detail';
import { Logs } from './pages/logs';
import { Overview } from './pages/overview';
import { Settings } from './pages/settings';
import { Teams } from './pages/teams';
import { SignIn } from './pages/sign-in';
import { href, useRoute } from './router';
import { SessionContext } from './session';

interface Page {
  id: string;
  label: string;
  /** Shown only to principals holding this permission. */
  needs?: string;
}

const PAGES: Page[] = [
  { id: 'overview', label: 'Overview', needs: 'usage.read' },
  { id: 'logs', label: 'Logs', needs: 'logs.read' },
  { id: 'keys', label: 'Virtual keys', needs: 'keys.read' },
  { id: 'teams', label: 'Teams', needs: 'teams.read' },
  { id: 'groq-keys', label: 'Groq keys', needs: 'config.read' },
  { id: 'guardrails', label: 'Guardrails', needs: 'logs.read' },
  { id: 'alerts', label: 'Alerts', needs: 'alerts.read' },
  { id: 'settings', label: 'Settings', needs: 'config.read' },
];

/** The signed-in shell: navigation by permission, the current page, sign-out. */
export function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [reason, setReason] = useState<string>();
  const route = useRoute();
  /** A cookie session's state-changing calls carry its CSRF token (GET /auth/me holds it). */
  const signedIn = async (principal: Me) => {
    if (principal.via === 'session') {
      const session = await api<{ csrfToken: string }>('/auth/me');
      setCsrfToken(session.csrfToken);
    }
    setMe(principal);
  };
  useEffect(() => {
    whenUnauthorized(() => {
      credentials.clear();
      setReason('Your sign-in is no longer valid; sign in again.');
      setMe(null);
    });
    // A key from earlier in this tab, or a session cookie from single sign-on.
    api<Me>('/admin/me')
      .then(signedIn)
      .catch((error: unknown) => {
        if (!(error instanceof ApiError) || error.status !== 401)
          setReason((error as Error).message);
        setMe(null);
      });
  }, []);
  useEffect(() => {
    const page = PAGES.find((p) => p.id === route.page);
    document.title = `${page?.label ?? 'Dashboard'} · Groq Gateway`;
  }, [route.page]);
  if (me === undefined) return <Loading>Checking your sign-in…</Loading>;
  if (me === null)
    return (
      <SignIn
        reason={reason}
        onSignedIn={(principal) => {
          setReason(undefined);
          void signedIn(principal);
        }}
      />
    );
  const visible = PAGES.filter((page) => !page.needs || me.permissions.includes(page.needs));
  const current = visible.find((page) => page.id === route.page) ?? visible[0];
  const signOut = async () => {
    credentials.clear();
    // A session ends at the gateway too (POST /auth/logout, CSRF-checked); a key is only forgotten.
    if (me.via === 'session')
      await api('/auth/logout', { method: 'POST' }).catch((error: unknown) =>
        setReason((error as Error).message),
      );
    setCsrfToken(null);
    setMe(null);
  };
  return (
    <SessionContext.Provider value={me}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Groq Gateway</span>
        <nav aria-label="Dashboard pages">
          <ul>
            {visible.map((page) => (
              <li key={page.id}>
                <a href={href(page.id)} aria-current={page.id === current?.id ? 'page' : undefined}>
                  {page.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who" title={me.email ?? me.subject}>
          {me.email ?? me.subject} · <span class="role">{me.role}</span>
        </span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {current ? (
          <PageBody page={current.id} id={route.id} />
        ) : (
          <p class="notice">Your role has no dashboard pages.</p>
        )}
      </main>
    </SessionContext.Provider>
  );
}

function PageBody({ page, id }: { page: string; id?: string }) {
  switch (page) {
    case 'logs':
      return id ? <LogDetail requestId={id} /> : <Logs />;
    case 'keys':
      return <Keys />;
    case 'teams':
      return <Teams />;
    case 'groq-keys':
      return <GroqKeys />;
    case 'guardrails':
      return <Guardrails />;
    case 'alerts':
      return <Alerts />;
    case 'settings':
      return <Settings />;
    default:
      return <Overview />;
  }
}
