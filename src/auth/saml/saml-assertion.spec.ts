import { LoginFailure } from '../login-failure';
import {
  assertionFacts,
  checkAssertion,
  peekResponse,
  samlFailure,
  type AssertionFacts,
} from './saml-assertion';

const ACS = 'https://gateway.example.com/auth/callback/saml';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const NOW = Date.parse('2026-11-30T12:00:00Z');

const ASSERTION = `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0">
  <saml:Issuer>https://idp</saml:Issuer>
  <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>
  <saml:Subject>
    <saml:NameID>alice</saml:NameID>
    <saml:SubjectConfirmation Method="${BEARER}">
      <saml:SubjectConfirmationData InResponseTo="_req" NotOnOrAfter="2026-11-30T12:05:00Z" Recipient="${ACS}"/>
    </saml:SubjectConfirmation>
  </saml:Subject>
  <saml:Conditions NotBefore="2026-11-30T11:59:00Z" NotOnOrAfter="2026-11-30T12:10:00Z"/>
  <saml:AuthnStatement SessionNotOnOrAfter="2026-11-30T20:00:00Z"/>
</saml:Assertion>`;

function response(inner: string, signed = false): string {
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" Destination="${ACS}">${
    signed ? '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>' : ''
  }${inner}</samlp:Response>`;
}

function facts(overrides: Partial<AssertionFacts['confirmations'][0]> = {}): AssertionFacts {
  return {
    id: '_a1',
    conditionsNotOnOrAfter: Date.parse('2026-11-30T12:10:00Z'),
    confirmations: [
      {
        method: BEARER,
        recipient: ACS,
        notOnOrAfter: Date.parse('2026-11-30T12:05:00Z'),
        inResponseTo: '_req',
        ...overrides,
      },
    ],
  };
}

const expected = { acsUrl: ACS, requestId: '_req', now: NOW, skewMs: 5_000 };

function reason(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(LoginFailure);
    return (error as LoginFailure).reason;
  }
  throw new Error('expected a LoginFailure');
}

describe('peekResponse', () => {
  it('reads the assertion id, where signatures are, and the destination', () => {
    expect(peekResponse(response(ASSERTION))).toEqual({
      assertionId: '_a1',
      assertionSigned: true,
      responseSigned: false,
      destination: ACS,
    });
    const unsigned = ASSERTION.replace(/<ds:Signature[^>]*\/>/, '');
    expect(peekResponse(response(unsigned, true))).toMatchObject({
      assertionSigned: false,
      responseSigned: true,
    });
  });

  it('refuses what is not a SAML 2.0 Response, malformed XML and DTDs', () => {
    expect(reason(() => peekResponse('<Response/>'))).toBe('saml_invalid');
    expect(reason(() => peekResponse('<samlp:Response xmlns:samlp="x"'))).toBe('saml_invalid');
    expect(reason(() => peekResponse(`<!DOCTYPE r [<!ENTITY e "x">]>${response(ASSERTION)}`))).toBe(
      'saml_invalid',
    );
  });

  it('gives no assertion id when there are several assertions', () => {
    expect(peekResponse(response(ASSERTION + ASSERTION)).assertionId).toBeUndefined();
  });
});

describe('assertionFacts', () => {
  it('reads id, times and the bearer confirmations', () => {
    expect(assertionFacts(ASSERTION)).toEqual({
      id: '_a1',
      conditionsNotOnOrAfter: Date.parse('2026-11-30T12:10:00Z'),
      sessionNotOnOrAfter: Date.parse('2026-11-30T20:00:00Z'),
      confirmations: [
        {
          method: BEARER,
          recipient: ACS,
          notBefore: undefined,
          notOnOrAfter: Date.parse('2026-11-30T12:05:00Z'),
          inResponseTo: '_req',
        },
      ],
    });
  });

  it('refuses a time that is not one', () => {
    expect(reason(() => assertionFacts(ASSERTION.replace('2026-11-30T12:05:00Z', 'soon')))).toBe(
      'saml_invalid',
    );
  });
});

describe('checkAssertion', () => {
  it('accepts a live bearer confirmation for this ACS, remembered until the latest expiry plus skew', () => {
    expect(checkAssertion(facts(), expected)).toEqual({
      id: '_a1',
      rememberUntil: Date.parse('2026-11-30T12:10:00Z') + 5_000,
      sessionNotOnOrAfter: undefined,
    });
  });

  it('refuses another recipient, no bearer, no id', () => {
    expect(reason(() => checkAssertion(facts({ recipient: 'https://x/acs' }), expected))).toBe(
      'saml_recipient',
    );
    expect(reason(() => checkAssertion(facts({ method: 'holder-of-key' }), expected))).toBe(
      'saml_invalid',
    );
    expect(reason(() => checkAssertion({ ...facts(), id: undefined }, expected))).toBe(
      'saml_invalid',
    );
  });

  it('bounds the clock skew: a few seconds late passes, more does not; NotOnOrAfter is required', () => {
    const expiry = Date.parse('2026-11-30T12:05:00Z');
    expect(() => checkAssertion(facts(), { ...expected, now: expiry + 4_000 })).not.toThrow();
    expect(reason(() => checkAssertion(facts(), { ...expected, now: expiry + 5_000 }))).toBe(
      'saml_expired',
    );
    expect(reason(() => checkAssertion(facts({ notBefore: NOW + 10_000 }), expected))).toBe(
      'saml_expired',
    );
    expect(reason(() => checkAssertion(facts({ notOnOrAfter: undefined }), expected))).toBe(
      'saml_expired',
    );
  });

  it('refuses an answer to another request', () => {
    expect(reason(() => checkAssertion(facts({ inResponseTo: '_other' }), expected))).toBe(
      'saml_in_response_to',
    );
  });
});

describe('samlFailure', () => {
  const peek = { assertionSigned: true, responseSigned: false };

  it("names node-saml's refusals", () => {
    expect(samlFailure(new Error('Invalid signature'), peek).reason).toBe('saml_signature');
    expect(
      samlFailure(new Error('Invalid signature'), { ...peek, assertionSigned: false }).reason,
    ).toBe('saml_unsigned');
    expect(
      samlFailure(new Error('SAML assertion audience mismatch. Expected: a Received: b'), peek)
        .reason,
    ).toBe('saml_audience');
    expect(
      samlFailure(new Error('SAML assertion expired: clocks skewed too much'), peek).reason,
    ).toBe('saml_expired');
    expect(samlFailure(new Error('InResponseTo is not valid'), peek).reason).toBe(
      'saml_in_response_to',
    );
    expect(samlFailure(new Error('Missing SAML assertion'), peek).reason).toBe('saml_invalid');
  });
});
