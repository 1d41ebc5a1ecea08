import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml';
import { randomBytes } from 'node:crypto';
import type { SamlConfig } from '../auth-config';
import { LoginFailure } from '../login-failure';
import { claimValues } from '../role-mapping';
import type { SignedInUser } from '../sessions/session';
import {
  assertionFacts,
  checkAssertion,
  peekResponse,
  samlFailure,
  type ResponsePeek,
} from './saml-assertion';

/** What the gateway keeps between sending the browser to the IdP and its return (server side). */
export interface PendingSamlLogin {
  /** The AuthnRequest's ID: the response must answer it (InResponseTo). */
  requestId: string;
  requestedAt: number;
}

/** A verified login: the user, and the assertion id to remember until it expires. */
export interface SamlLogin {
  user: SignedInUser;
  assertionId: string;
  rememberUntil: number;
}

/** The largest SAMLResponse taken (base64): IdPs send a few kB, with certificates a few tens. */
export const SAML_RESPONSE_MAX_CHARS = 200_000;

/**
 * SAML 2.0 service provider with node-saml: HTTP-Redirect AuthnRequests, HTTP-POST responses at
 * the ACS URL. The assertion must be signed by the configured IdP certificate (a signed response
 * alone is not enough), name this gateway (auth.saml.issuer) as its audience, be within its
 * NotBefore / NotOnOrAfter (bounded clock skew) and answer the AuthnRequest of this login; its
 * bearer confirmation must name the ACS URL as Recipient. Replays are refused by the caller,
 * which remembers assertion ids (auth.controller.ts).
 */
export class SamlSignIn {
  constructor(
    private readonly config: SamlConfig,
    readonly acsUrl: string,
  ) {}

  /** The IdP's URL with a new AuthnRequest and `relayState` (this login's state). */
  async start(relayState: string): Promise<{ url: string; pending: PendingSamlLogin }> {
    const pending: PendingSamlLogin = {
      requestId: `_${randomBytes(20).toString('hex')}`,
      requestedAt: Date.now(),
    };
    const url = await this.saml(pending).getAuthorizeUrlAsync(relayState, undefined, {});
    return { url, pending };
  }

  /** Verifies the posted SAMLResponse for `pending`; a LoginFailure says why it is refused. */
  async finish(samlResponse: string, pending: PendingSamlLogin): Promise<SamlLogin> {
    const peek = this.peek(samlResponse);
    if (peek.destination !== undefined && peek.destination !== this.acsUrl)
      throw new LoginFailure(
        'saml_recipient',
        `the response's Destination is '${peek.destination.slice(0, 200)}', not this gateway's ACS URL ${this.acsUrl}`,
      );
    let profile: Profile | null;
    try {
      ({ profile } = await this.saml(pending).validatePostResponseAsync({
        SAMLResponse: samlResponse,
      }));
    } catch (error) {
      throw samlFailure(error, peek);
    }
    if (!profile) throw new LoginFailure('saml_invalid', 'the response holds no assertion');
    const checked = checkAssertion(assertionFacts(profile.getAssertionXml!()), {
      acsUrl: this.acsUrl,
      requestId: pending.requestId,
      now: Date.now(),
      skewMs: this.config.clockSkewSeconds * 1000,
    });
    if (!profile.nameID) throw new LoginFailure('saml_invalid', 'the assertion has no NameID');
    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    return {
      user: {
        provider: 'saml',
        subject: profile.nameID,
        email: firstString(profile.email ?? attributes.email ?? attributes.mail),
        name: firstString(attributes.displayName ?? attributes.name ?? attributes.cn),
        roleValues: claimValues(attributes[this.config.rolesAttribute]),
        idpSessionEndsAt: checked.sessionNotOnOrAfter,
      },
      assertionId: checked.id,
      rememberUntil: checked.rememberUntil,
    };
  }

  /** The response's assertion id (unverified) and whether it is signed; refuses what is not SAML. */
  peek(samlResponse: string): ResponsePeek {
    if (samlResponse.length > SAML_RESPONSE_MAX_CHARS || !/^[A-Za-z0-9+/=\s]+$/.test(samlResponse))
      throw new LoginFailure('saml_invalid', 'SAMLResponse is not base64 of a SAML response');
    return peekResponse(Buffer.from(samlResponse, 'base64').toString('utf8'));
  }

  /** SP metadata for the IdP's administrator: entity id, ACS URL (HTTP-POST), signed assertions wanted. */
  metadata(): string {
    return this.saml().generateServiceProviderMetadata(null, null);
  }

  private saml(pending?: PendingSamlLogin): SAML {
    return new SAML({
      entryPoint: this.config.entryPoint,
      issuer: this.config.issuer,
      audience: this.config.issuer,
      callbackUrl: this.acsUrl,
      idpCert: this.config.idpCerts,
      // The assertion itself must be signed; a signature on the response alone does not do.
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: this.config.clockSkewSeconds * 1000,
      // Every response must answer this login's AuthnRequest: no IdP-initiated (unsolicited) login.
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: 10 * 60_000,
      cacheProvider: pending && requestCache(pending),
      generateUniqueId: () => pending?.requestId ?? `_${randomBytes(20).toString('hex')}`,
      // Leave the NameID format and the authentication method (MFA, passkeys...) to the IdP.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }
}

/** node-saml's InResponseTo cache holding just this login's request (it is kept server side). */
function requestCache(pending: PendingSamlLogin): CacheProvider {
  return {
    saveAsync: (key, value) => Promise.resolve({ value, createdAt: Date.now() }),
    getAsync: (key) =>
      Promise.resolve(
        key === pending.requestId ? new Date(pending.requestedAt).toISOString() : null,
      ),
    removeAsync: (key) => Promise.resolve(key),
  };
}

function firstString(raw: unknown): string | undefined {
  const value = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
  return typeof value === 'string' && value !== '' ? value.slice(0, 320) : undefined;
}
