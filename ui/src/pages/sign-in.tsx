import { useEffect, useState } from 'preact/hooks';
import { api, credentials } from '../api/client';
import type { Me } from '../api/types';
import { ErrorNotice } from '../components/notice';

/** Sign in with the admin key (or a personal access token): kept in this tab's sessionStorage. */
export function SignIn({ onSignedIn, reason }: { onSignedIn: (me: Me) => void; reason?: string }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const providers = useSsoProviders();
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    credentials.set(key.trim());
    try {
      onSignedIn(await api<Me>('/admin/me'));
    } catch (failure) {
      credentials.clear();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" class="sign-in">
      <h1>Groq Gateway</h1>
      <p>Sign in to the dashboard.</p>
      {reason ? (
        <p class="notice" role="status">
          {reason}
        </p>
      ) : null}
      {providers.length > 0 ? (
        <div class="sso">
          {providers.map((provider) => (
            <a
              key={provider.id}
              class="button primary"
              href={`${provider.loginUrl}&returnTo=${encodeURIComponent('/ui/')}`}
            >
              {providers.length > 1
                ? `Sign in with SSO (${provider.id.toUpperCase()})`
                : 'Sign in with SSO'}
            </a>
          ))}
          <p class="hint">Or with a key:</p>
        </div>
      ) : null}
      <form onSubmit={submit}>
        <label for="admin-key">Admin key or personal access token</label>
        <input
          id="admin-key"
          name="admin-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
        />
        <button type="submit" disabled={busy || !key.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">Kept in this browser tab only, sent as a bearer token to the gateway.</p>
      </form>
      <ErrorNotice error={error} />
    </main>
  );
}

interface SsoProvider {
  id: string;
  loginUrl: string;
}

/** The single sign-on this gateway offers (GET /auth/providers; 404 without `auth:`: none). */
function useSsoProviders(): SsoProvider[] {
  const [providers, setProviders] = useState<SsoProvider[]>([]);
  useEffect(() => {
    const controller = new AbortController();
    fetch('/auth/providers', { signal: controller.signal, credentials: 'same-origin' })
      .then((response) => (response.ok ? response.json() : { data: [] }))
      .then((answer: { data?: SsoProvider[] }) => setProviders(answer.data ?? []))
      .catch(() => undefined);
    return () => controller.abort();
  }, []);
  return providers;
}
