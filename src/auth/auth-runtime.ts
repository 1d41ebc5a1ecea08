import type { AuthConfig } from './auth-config';
import type { OidcSignIn } from './oidc/oidc-sign-in';
import type { SamlSignIn } from './saml/saml-sign-in';
import type { SessionStore } from './sessions/session-store';

/** Nest token of the sign-in runtime built from `auth:` (auth.module.ts). */
export const AUTH_RUNTIME = Symbol('AUTH_RUNTIME');

/** The configuration, the session store and the providers sign-in runs on. */
export interface AuthRuntime {
  config: AuthConfig;
  store: SessionStore;
  oidc?: OidcSignIn;
  saml?: SamlSignIn;
}
