/** A login (or a session's re-check) refused, with a short reason for the audit line. */
export class LoginFailure extends Error {
  constructor(
    /** Short and stable: `state_mismatch`, `id_token_invalid`, `no_role_mapping`, `saml_unsigned`... */
    readonly reason: string,
    /** What exactly failed, for the audit line and the log; never a token or a secret. */
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'LoginFailure';
  }
}

/** The identity provider could not be asked (network, timeout, discovery): nothing was decided. */
export class IdpUnreachable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'IdpUnreachable';
  }
}
