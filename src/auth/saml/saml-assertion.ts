import { LoginFailure } from '../login-failure';

/** The little of xmldom's DOM read here (its own typings pull in lib.dom, which the gateway is not). */
interface Element {
  nodeType: number;
  namespaceURI: string | null;
  localName: string | null;
  firstChild: Element | null;
  nextSibling: Element | null;
  getAttribute(name: string): string | null;
}
interface XmlDomParser {
  parseFromString(xml: string, mimeType: string): { documentElement: Element | null };
}
type ParserOptions = { errorHandler: Record<'warning' | 'error' | 'fatalError', () => void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DOMParser } = require('@xmldom/xmldom') as {
  DOMParser: new (options: ParserOptions) => XmlDomParser;
};

const ASSERTION_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
const PROTOCOL_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What a SAML response shows before any check: enough to refuse a replay early. */
export interface ResponsePeek {
  /** The ID of its one assertion, if it has exactly one (not yet verified). */
  assertionId?: string;
  /** Whether the assertion carries an XML signature (not yet verified). */
  assertionSigned: boolean;
  /** Whether the response itself carries one. */
  responseSigned: boolean;
  /** The response's Destination attribute (where the IdP meant it to go), if any. */
  destination?: string;
}

/** One SubjectConfirmation of an assertion. */
export interface Confirmation {
  method?: string;
  recipient?: string;
  notBefore?: number;
  notOnOrAfter?: number;
  inResponseTo?: string;
}

/** The facts of a verified (signed) assertion the gateway checks itself. */
export interface AssertionFacts {
  id?: string;
  conditionsNotOnOrAfter?: number;
  /** AuthnStatement SessionNotOnOrAfter: the IdP's bound on the session it grants. */
  sessionNotOnOrAfter?: number;
  confirmations: Confirmation[];
}

/** What the checks establish: the assertion id and how long to remember it (replay refusal). */
export interface CheckedAssertion {
  id: string;
  /** Epoch ms until which the id must be remembered: its latest NotOnOrAfter plus the skew. */
  rememberUntil: number;
  sessionNotOnOrAfter?: number;
}

function parse(xml: string): Element | undefined {
  // A SAML message has no DTD; one could only be there for entity expansion tricks.
  if (/<!DOCTYPE/i.test(xml)) return undefined;
  let failed = false;
  const parser = new DOMParser({
    // Malformed XML is refused, never guessed at.
    errorHandler: {
      warning: () => undefined,
      error: () => (failed = true),
      fatalError: () => (failed = true),
    },
  });
  let doc: { documentElement: Element | null };
  try {
    doc = parser.parseFromString(xml, 'text/xml');
  } catch {
    return undefined;
  }
  return failed ? undefined : (doc.documentElement ?? undefined);
}

function children(parent: Element, ns: string, name: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const element = node as Element;
    if (element.namespaceURI === ns && element.localName === name) found.push(element);
  }
  return found;
}

function attribute(element: Element | undefined, name: string): string | undefined {
  const value = element?.getAttribute(name);
  return value ? value : undefined;
}

function instant(element: Element | undefined, name: string): number | undefined {
  const value = attribute(element, name);
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new LoginFailure('saml_invalid', `${name} '${value.slice(0, 40)}' is not a time`);
  return ms;
}

/** Reads a SAML response (the decoded XML) without trusting it. */
export function peekResponse(xml: string): ResponsePeek {
  const root = parse(xml);
  if (!root || root.namespaceURI !== PROTOCOL_NS || root.localName !== 'Response')
    throw new LoginFailure('saml_invalid', 'SAMLResponse is not a SAML 2.0 Response');
  const assertions = children(root, ASSERTION_NS, 'Assertion');
  return {
    assertionId: assertions.length === 1 ? attribute(assertions[0], 'ID') : undefined,
    assertionSigned: assertions.some((a) => children(a, DSIG_NS, 'Signature').length > 0),
    responseSigned: children(root, DSIG_NS, 'Signature').length > 0,
    destination: attribute(root, 'Destination'),
  };
}

/** The facts of one assertion's XML (as node-saml returns it once its signature is verified). */
export function assertionFacts(xml: string): AssertionFacts {
  const assertion = parse(xml);
  if (!assertion || assertion.namespaceURI !== ASSERTION_NS || assertion.localName !== 'Assertion')
    throw new LoginFailure('saml_invalid', 'the signed content is not an assertion');
  const subject = children(assertion, ASSERTION_NS, 'Subject')[0];
  const confirmations = subject
    ? children(subject, ASSERTION_NS, 'SubjectConfirmation').map((confirmation) => {
        const data = children(confirmation, ASSERTION_NS, 'SubjectConfirmationData')[0];
        return {
          method: attribute(confirmation, 'Method'),
          recipient: attribute(data, 'Recipient'),
          notBefore: instant(data, 'NotBefore'),
          notOnOrAfter: instant(data, 'NotOnOrAfter'),
          inResponseTo: attribute(data, 'InResponseTo'),
        };
      })
    : [];
  const conditions = children(assertion, ASSERTION_NS, 'Conditions')[0];
  const authn = children(assertion, ASSERTION_NS, 'AuthnStatement')[0];
  return {
    id: attribute(assertion, 'ID'),
    conditionsNotOnOrAfter: instant(conditions, 'NotOnOrAfter'),
    sessionNotOnOrAfter: instant(authn, 'SessionNotOnOrAfter'),
    confirmations,
  };
}

export interface Expected {
  /** The ACS URL: publicUrl + /auth/callback/saml. */
  acsUrl: string;
  /** The ID of the AuthnRequest this login sent. */
  requestId: string;
  now: number;
  skewMs: number;
}

/**
 * The Web SSO profile's checks node-saml leaves to its caller: a bearer SubjectConfirmation whose
 * Recipient is this ACS URL, that has not expired (NotOnOrAfter, required) and answers this
 * login's request; and an assertion id to remember until its expiry. A LoginFailure otherwise.
 */
export function checkAssertion(facts: AssertionFacts, expected: Expected): CheckedAssertion {
  if (!facts.id) throw new LoginFailure('saml_invalid', 'the assertion has no ID');
  const bearers = facts.confirmations.filter((c) => c.method === BEARER);
  if (bearers.length === 0)
    throw new LoginFailure('saml_invalid', 'the assertion has no bearer SubjectConfirmation');
  const forUs = bearers.filter((c) => c.recipient === expected.acsUrl);
  if (forUs.length === 0)
    throw new LoginFailure(
      'saml_recipient',
      `the assertion's Recipient is ${bearers.map((c) => `'${(c.recipient ?? '(none)').slice(0, 200)}'`).join(', ')}, not this gateway's ACS URL ${expected.acsUrl}`,
    );
  const { now, skewMs } = expected;
  const live = forUs.filter(
    (c) =>
      c.notOnOrAfter !== undefined &&
      now - skewMs < c.notOnOrAfter &&
      (c.notBefore === undefined || now + skewMs >= c.notBefore),
  );
  if (live.length === 0)
    throw new LoginFailure(
      'saml_expired',
      forUs.some((c) => c.notOnOrAfter === undefined)
        ? 'the SubjectConfirmationData has no NotOnOrAfter'
        : `the assertion expired at ${new Date(Math.max(...forUs.map((c) => c.notOnOrAfter ?? 0))).toISOString()} (clock skew tolerated: ${skewMs / 1000} s)`,
    );
  const answering = live.find(
    (c) => c.inResponseTo === undefined || c.inResponseTo === expected.requestId,
  );
  if (!answering)
    throw new LoginFailure('saml_in_response_to', 'the assertion answers another login request');
  const until = Math.max(answering.notOnOrAfter!, facts.conditionsNotOnOrAfter ?? 0);
  return {
    id: facts.id,
    rememberUntil: until + skewMs,
    sessionNotOnOrAfter: facts.sessionNotOnOrAfter,
  };
}

/**
 * node-saml's errors as the reason a login is refused. `peek` says what carried a signature, so
 * an unsigned assertion and one signed by another key are told apart.
 */
export function samlFailure(error: unknown, peek: ResponsePeek): LoginFailure {
  if (error instanceof LoginFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const detail = message.slice(0, 300);
  if (error instanceof Error && error.name === 'SamlStatusError')
    return new LoginFailure('idp_refused', detail);
  if (/signature/i.test(message)) {
    if (!peek.assertionSigned)
      return new LoginFailure(
        'saml_unsigned',
        peek.responseSigned
          ? 'the assertion is not signed (a signature on the response alone is not accepted)'
          : 'neither the response nor its assertion is signed',
      );
    return new LoginFailure(
      'saml_signature',
      `${detail} (the assertion is not signed by the certificate in auth.saml.idpCertFile)`,
    );
  }
  if (/audience/i.test(message)) return new LoginFailure('saml_audience', detail);
  // node-saml looks for a subject confirmation within its NotBefore / NotOnOrAfter.
  if (/no valid subject confirmation/i.test(message))
    return new LoginFailure(
      'saml_expired',
      'the assertion has expired or is not yet valid (no SubjectConfirmationData within its NotBefore / NotOnOrAfter)',
    );
  if (/expired|not yet valid/i.test(message)) return new LoginFailure('saml_expired', detail);
  if (/InResponseTo/i.test(message)) return new LoginFailure('saml_in_response_to', detail);
  return new LoginFailure('saml_invalid', detail);
}
