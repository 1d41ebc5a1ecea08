import { isIPv6 } from 'node:net';
import type { PiiEntity } from '../guardrails-config';
import type { Finding } from './finding';

/**
 * PII found by shape and then validated, so a number that merely looks like a card is let be:
 * Luhn for cards, ISO 13616 mod-97 for IBANs, SSA ranges for SSNs, octet ranges for IPv4,
 * node:net for IPv6, digit counts for phones. Every pattern is bounded or anchored on a literal,
 * so each runs in time linear in the text (checked by recheck in the spec).
 */
export function findPii(text: string, entities: readonly PiiEntity[]): Finding[] {
  const findings: Finding[] = [];
  for (const entity of entities) DETECTORS[entity](text, findings);
  return findings;
}

type Detector = (text: string, out: Finding[]) => void;

/** Key shapes by vendor prefix; each one bounded by non-key characters on both sides. */
export const SECRET_SHAPES = [
  'gsk_[A-Za-z0-9]{20,}',
  'sk-ant-[A-Za-z0-9_-]{20,}',
  'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}',
  '(?:AKIA|ASIA)[0-9A-Z]{16}',
  'gh[pousr]_[A-Za-z0-9]{36,}',
  'github_pat_[A-Za-z0-9_]{22,}',
  'eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}',
];

export function bounded(shape: string): string {
  return `(?<![A-Za-z0-9_-])${shape}(?![A-Za-z0-9_-])`;
}

export const PII_PATTERNS = {
  // Local part and domain bounded (RFC 5321 lengths); the left look-behind starts one try per run.
  email:
    /(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,24}(?![\w-])/g,
  creditCard: /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g,
  iban: /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g,
  ssn: /(?<![\d-])(\d{3})([- ])(\d{2})([- ])(\d{4})(?![\d-])/g,
  phoneE164: /(?<![\w+])\+[1-9](?:[ .-]?\(?\d\)?){6,14}(?![\d])/g,
  phoneNanp: /(?<![\w+])(?:\(\d{3}\) ?|\d{3}[-. ])\d{3}[-. ]\d{4}(?!\d)/g,
  phoneNational: /(?<![\w+])0\d{1,4}[ -]\d{3,4}[ -]?\d{3,4}(?![\d-])/g,
  ipv4: /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?!\.?\d)/g,
  secret: new RegExp(SECRET_SHAPES.map(bounded).join('|'), 'g'),
  privateKeyBegin: /-----BEGIN (?:[A-Z0-9]+ ){0,3}PRIVATE KEY-----/g,
};

const DETECTORS: Record<PiiEntity, Detector> = {
  email: (text, out) => {
    if (!text.includes('@')) return;
    scan(text, PII_PATTERNS.email, 'email', out);
  },
  credit_card: (text, out) =>
    scan(text, PII_PATTERNS.creditCard, 'credit_card', out, (m) => {
      return cardGroupsValid(m[0]) && luhnValid(m[0].replace(/\D/g, ''));
    }),
  iban: (text, out) => scan(text, PII_PATTERNS.iban, 'iban', out, (m) => ibanValid(m[0])),
  ssn: (text, out) =>
    scan(text, PII_PATTERNS.ssn, 'ssn', out, (m) => m[2] === m[4] && ssnValid(m[1], m[3], m[5])),
  phone: (text, out) => {
    scan(text, PII_PATTERNS.phoneE164, 'phone', out, (m) => digitCount(m[0], 8, 15));
    scan(text, PII_PATTERNS.phoneNanp, 'phone', out, (m) => nanpValid(m[0]), true);
    scan(text, PII_PATTERNS.phoneNational, 'phone', out, (m) => digitCount(m[0], 9, 12), true);
  },
  ip_address: (text, out) => {
    scan(text, PII_PATTERNS.ipv4, 'ip_address', out, (m) => ipv4Valid(m[0]));
    if (text.includes(':')) ipv6(text, out);
  },
  secret: (text, out) => {
    scan(text, PII_PATTERNS.secret, 'secret', out);
    if (text.includes('-----BEGIN')) privateKeys(text, out);
  },
};

function scan(
  text: string,
  pattern: RegExp,
  label: string,
  out: Finding[],
  valid?: (match: RegExpExecArray) => boolean,
  skipOverlaps = false,
): void {
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    const start = match.index;
    const end = start + match[0].length;
    if (valid && !valid(match)) continue;
    if (skipOverlaps && out.some((f) => f.start < end && start < f.end)) continue;
    out.push({ start, end, label });
  }
}

const HEX_OR_COLON = /[0-9A-Fa-f:.]/;

/**
 * IPv6 addresses, found from their colons: each run of hex digits, colons and dots around a colon
 * is one candidate, judged by node:net (a regex tried at every hex letter of English text was
 * the slowest detector).
 */
function ipv6(text: string, out: Finding[]): void {
  let searchFrom = 0;
  for (let colon = text.indexOf(':'); colon >= 0; colon = text.indexOf(':', searchFrom)) {
    let start = colon;
    while (start > 0 && HEX_OR_COLON.test(text[start - 1])) start--;
    let end = colon + 1;
    while (end < text.length && HEX_OR_COLON.test(text[end])) end++;
    searchFrom = end;
    // A trailing dot ends a sentence, not the address.
    let candidate = text.slice(start, end);
    while (candidate.endsWith('.')) candidate = candidate.slice(0, -1);
    if (candidate.length < 3 || /\w/.test(text[start - 1] ?? '') || /\w/.test(text[end] ?? ''))
      continue;
    if (isIPv6(candidate)) out.push({ start, end: start + candidate.length, label: 'ip_address' });
  }
}

/** A private key block from its BEGIN line to its END line, or to the end of the text. */
function privateKeys(text: string, out: Finding[]): void {
  const begin = PII_PATTERNS.privateKeyBegin;
  begin.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = begin.exec(text)) !== null) {
    const endMarker = text.indexOf('-----END ', begin.lastIndex);
    const close = endMarker < 0 ? -1 : text.indexOf('-----', endMarker + 9);
    const end = close < 0 ? text.length : close + 5;
    out.push({ start: match.index, end, label: 'secret' });
    begin.lastIndex = end;
  }
}

/** 13-19 digits, written whole or in the groups cards are printed in, with one separator. */
function cardGroupsValid(raw: string): boolean {
  const groups = raw.split(/[ -]/);
  const digits = groups.join('').length;
  if (digits < 13 || digits > 19) return false;
  if (groups.length === 1) return true;
  if (new Set(raw.replace(/\d/g, '')).size !== 1) return false;
  const shape = groups.map((g) => g.length).join(',');
  return /^4,4,4,(?:4|4,[1-3]|1)$|^4,6,(?:4|5)$/.test(shape);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616: the country's length where known, then mod 97 of the rearranged digits is 1. */
export function ibanValid(raw: string): boolean {
  const iban = raw.replace(/ /g, '');
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined ? iban.length < 15 || iban.length > 34 : iban.length !== expected)
    return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TR: 26,
  AE: 23,
  SA: 24,
  IL: 23,
  BR: 29,
  QA: 29,
};

/** The SSA's rules: area not 000, 666 or 900-999; group not 00; serial not 0000. */
export function ssnValid(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  return a !== 0 && a !== 666 && a < 900 && group !== '00' && serial !== '0000';
}

/** North American numbers: area code and exchange start with 2-9. */
function nanpValid(raw: string): boolean {
  const digits = raw.replace(/\D/g, '');
  return digits.length === 10 && digits[0] >= '2' && digits[3] >= '2';
}

function digitCount(raw: string, min: number, max: number): boolean {
  const count = raw.replace(/\D/g, '').length;
  return count >= min && count <= max;
}

function ipv4Valid(raw: string): boolean {
  return raw.split('.').every((octet) => Number(octet) <= 255 && !/^0\d/.test(octet));
}

/**
 * The longest match with whitespace in it each entity can make (see match-span.ts): emails, IP
 * addresses and key-shaped secrets hold none, so a cut at a space never splits them; a private
 * key block is found from its BEGIN line to the end of the text until its END line comes, so
 * only its BEGIN line needs holding.
 */
const PII_HOLD_CHARS: Record<PiiEntity, number> = {
  email: 0,
  ip_address: 0,
  ssn: 11,
  credit_card: 37,
  phone: 58,
  iban: 64,
  secret: 96,
};

export function piiHoldChars(entities: readonly PiiEntity[]): number {
  return Math.max(0, ...entities.map((entity) => PII_HOLD_CHARS[entity]));
}
