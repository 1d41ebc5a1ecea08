import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

/** A key and its self-signed certificate (PEM), made with the openssl command line. */
export interface SigningKey {
  key: string;
  cert: string;
  certFile: string;
}

/** How the IdP answers the next login: the knobs each refusal test turns. */
export interface AnswerOptions {
  /** What is signed: the assertion (default), the whole response, both, or nothing. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Sign with another key than the one whose certificate the gateway trusts. */
  otherKey?: boolean;
  audience?: string;
  /** The bearer confirmation's Recipient (inside the signed assertion). */
  recipient?: string;
  /** The response's Destination (outside it). */
  destination?: string;
  /** Seconds from now of NotOnOrAfter (negative: already expired). Default 300. */
  validForSeconds?: number;
  /** Answer another request id than the one the gateway sent. */
  inResponseTo?: string;
  /** The AuthnStatement's SessionNotOnOrAfter, seconds from now. */
  sessionForSeconds?: number;
}

/** One user of the IdP: NameID and attributes (memberOf carries the groups). */
export interface SamlUser {
  email: string;
  groups: string[];
}

/** What the IdP received from the gateway in the last AuthnRequest. */
export interface ReceivedRequest {
  id: string;
  acsUrl: string;
  issuer: string;
  relayState: string;
}

/** The HTML auto-post page the IdP answers with, read back as its action and fields. */
export interface PostForm {
  action: string;
  fields: Record<string, string>;
}

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A 2048-bit RSA key and a self-signed certificate for it, valid two days. */
export function makeSigningKey(dir: string, name: string): SigningKey {
  const keyFile = join(dir, `${name}.key`);
  const certFile = join(dir, `${name}.pem`);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), certFile };
}

function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function sign(xml: string, key: SigningKey, elementName: 'Assertion' | 'Response'): string {
  const signer = new SignedXml({
    privateKey: key.key,
    publicCert: key.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  const self = `//*[local-name(.)='${elementName}' and namespace-uri(.)='${elementName === 'Assertion' ? SAML : SAMLP}']`;
  signer.addReference({
    xpath: self,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  // The signature goes right after the element's Issuer, where the SAML schema puts it.
  signer.computeSignature(xml, {
    location: { reference: `${self}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return signer.getSignedXml();
}

/**
 * A SAML 2.0 identity provider built for the tests, in the test process: it takes the gateway's
 * AuthnRequest (HTTP-Redirect binding: deflated, base64, in the query), reads its ID and ACS URL,
 * and answers with an HTML page that posts a SAML Response to the ACS (HTTP-POST binding), the
 * assertion signed with its own RSA key (xml-crypto: RSA-SHA256, exclusive c14n), as real IdPs
 * do. `answer` sets how the next response is made, to produce each case the gateway must refuse.
 */
export class SamlIdp {
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-saml-idp-'));
  readonly signing = makeSigningKey(this.dir, 'test-idp');
  readonly other = makeSigningKey(this.dir, 'impostor-idp');
  readonly entityId = 'https://idp.test.example/saml';
  private server?: Server;
  private users = new Map<string, SamlUser>();
  private user = '';
  private options: AnswerOptions = {};
  /** Every AuthnRequest received, latest last. */
  readonly requests: ReceivedRequest[] = [];
  /** Every response made, latest last (base64, as posted). */
  readonly responses: string[] = [];
  url = '';

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      try {
        const url = new URL(request.url ?? '/', this.url);
        if (url.pathname !== '/sso') {
          response.writeHead(404).end();
          return;
        }
        const received = this.received(url);
        const samlResponse = this.respond(received);
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        response.end(
          `<!doctype html><html><body onload="document.forms[0].submit()">` +
            `<form method="post" action="${escape(received.acsUrl)}">` +
            `<input type="hidden" name="SAMLResponse" value="${escape(samlResponse)}"/>` +
            `<input type="hidden" name="RelayState" value="${escape(received.relayState)}"/>` +
            `</form></body></html>`,
        );
      } catch (error) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get ssoUrl(): string {
    return `${this.url}/sso`;
  }

  setUser(name: string, user: SamlUser): void {
    this.users.set(name, user);
  }

  /** Who signs in next, and how the response is made. */
  answer(user: string, options: AnswerOptions = {}): void {
    this.user = user;
    this.options = options;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }

  private received(url: URL): ReceivedRequest {
    const encoded = url.searchParams.get('SAMLRequest');
    if (!encoded) throw new Error('no SAMLRequest');
    const xml = inflateRawSync(Buffer.from(encoded, 'base64')).toString('utf8');
    const attribute = (name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(xml)?.[1];
    const received = {
      id: attribute('ID') ?? '',
      acsUrl: attribute('AssertionConsumerServiceURL') ?? '',
      issuer: /<saml:Issuer[^>]*>([^<]*)</.exec(xml)?.[1] ?? '',
      relayState: url.searchParams.get('RelayState') ?? '',
    };
    this.requests.push(received);
    return received;
  }

  /** A SAML Response for the current user, answering `request`, as the options say. */
  respond(request: ReceivedRequest): string {
    const user = this.users.get(this.user);
    if (!user) throw new Error(`unknown user ${this.user}`);
    const o = this.options;
    const now = Date.now();
    const at = (seconds: number) => new Date(now + seconds * 1000).toISOString();
    const notOnOrAfter = at(o.validForSeconds ?? 300);
    const inResponseTo = o.inResponseTo ?? request.id;
    const recipient = o.recipient ?? request.acsUrl;
    const assertionId = `_a${randomBytes(16).toString('hex')}`;
    const attributes = [
      `<saml:Attribute Name="email"><saml:AttributeValue>${escape(user.email)}</saml:AttributeValue></saml:Attribute>`,
      `<saml:Attribute Name="memberOf">${user.groups.map((g) => `<saml:AttributeValue>${escape(g)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    ].join('');
    const assertion =
      `<saml:Assertion xmlns:saml="${SAML}" ID="${assertionId}" Version="2.0" IssueInstant="${at(0)}">` +
      `<saml:Issuer>${this.entityId}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${escape(this.user)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
      `<saml:SubjectConfirmationData InResponseTo="${escape(inResponseTo)}" NotOnOrAfter="${notOnOrAfter}" Recipient="${escape(recipient)}"/>` +
      `</saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${at(-5)}" NotOnOrAfter="${notOnOrAfter}">` +
      `<saml:AudienceRestriction><saml:Audience>${escape(o.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction>` +
      `</saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${assertionId}"${o.sessionForSeconds === undefined ? '' : ` SessionNotOnOrAfter="${at(o.sessionForSeconds)}"`}>` +
      `<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>` +
      `</saml:AuthnStatement>` +
      `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` +
      `</saml:Assertion>`;
    const key = o.otherKey ? this.other : this.signing;
    const sign_ = o.sign ?? 'assertion';
    const signedAssertion =
      sign_ === 'assertion' || sign_ === 'both' ? sign(assertion, key, 'Assertion') : assertion;
    let response =
      `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="_r${randomBytes(16).toString('hex')}" Version="2.0" IssueInstant="${at(0)}" Destination="${escape(o.destination ?? request.acsUrl)}" InResponseTo="${escape(inResponseTo)}">` +
      `<saml:Issuer>${this.entityId}</saml:Issuer>` +
      `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      signedAssertion.replace(/^<\?xml[^>]*>/, '') +
      `</samlp:Response>`;
    if (sign_ === 'response' || sign_ === 'both') response = sign(response, key, 'Response');
    const encoded = Buffer.from(response, 'utf8').toString('base64');
    this.responses.push(encoded);
    return encoded;
  }
}

/** The action and hidden fields of the IdP's auto-post page. */
export function readPostForm(html: string): PostForm {
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in the IdP's page: ${html.slice(0, 300)}`);
  const unescape = (text: string) =>
    text
      .replace(/&quot;/g, '"')
      .replace(/&gt;/g, '>')
      .replace(/&lt;/g, '<')
      .replace(/&amp;/g, '&');
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g))
    fields[match[1]] = unescape(match[2]);
  return { action: unescape(action), fields };
}
