import { checkSync } from 'recheck';
import { redact } from './finding';
import {
  bounded,
  findPii,
  ibanValid,
  luhnValid,
  PII_PATTERNS,
  SECRET_SHAPES,
  ssnValid,
} from './pii';
import { PII_ENTITIES } from '../guardrails-config';

const labels = (text: string) => findPii(text, PII_ENTITIES).map((f) => f.label);
const redacted = (text: string) => redact(text, findPii(text, PII_ENTITIES));

describe('findPii', () => {
  it('finds emails and redacts them to [EMAIL]', () => {
    expect(redacted('write to jane.doe+work@example.co.uk today')).toBe('write to [EMAIL] today');
    expect(labels('no mail here @ all, user@localhost')).toEqual([]);
  });

  it('takes card numbers only when the Luhn check passes', () => {
    expect(redacted('card 4111 1111 1111 1111 ok')).toBe('card [CREDIT_CARD] ok');
    expect(redacted('card 4111-1111-1111-1111')).toBe('card [CREDIT_CARD]');
    expect(labels('order 4111 1111 1111 1112')).toEqual([]);
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });

  it('takes IBANs only with the right length and mod-97 checksum', () => {
    expect(redacted('pay GB82 WEST 1234 5698 7654 32 now')).toBe('pay [IBAN] now');
    expect(redacted('DE89370400440532013000')).toBe('[IBAN]');
    expect(ibanValid('GB82WEST12345698765433')).toBe(false);
    expect(labels('GB82 WEST 1234 5698 7654 33')).toEqual([]);
  });

  it('takes SSNs only inside the SSA ranges', () => {
    expect(redacted('ssn 123-45-6789.')).toBe('ssn [SSN].');
    expect(labels('000-12-3456 666-12-3456 912-12-3456 123-00-4567 123-45-0000')).toEqual([]);
    expect(ssnValid('123', '45', '6789')).toBe(true);
    expect(labels('123-45 6789')).toEqual([]);
  });

  it('finds E.164, North American and national phone numbers', () => {
    expect(redacted('call +44 20 7946 0958')).toBe('call [PHONE]');
    expect(redacted('call +14155552671 now')).toBe('call [PHONE] now');
    expect(redacted('call (415) 555-2671')).toBe('call [PHONE]');
    expect(redacted('call 415-555-2671')).toBe('call [PHONE]');
    expect(redacted('ruf 030 1234 5678 an')).toBe('ruf [PHONE] an');
    expect(labels('version 1.2.3, year 2026, call 123-555-2671')).toEqual([]);
  });

  it('finds valid IPv4 and IPv6 addresses only', () => {
    expect(redacted('from 192.168.1.20.')).toBe('from [IP_ADDRESS].');
    expect(redacted('via 2001:db8::8a2e:370:7334 and ::1')).toBe(
      'via [IP_ADDRESS] and [IP_ADDRESS]',
    );
    expect(labels('999.1.1.1 and 10:30:00 and 1.2.3')).toEqual([]);
  });

  it('finds Groq, OpenAI, Anthropic, AWS and GitHub keys, JWTs and private keys', () => {
    const secrets = [
      'gsk_abcdefghijklmnopqrstuvwxyz0123',
      'sk-proj-abcdefghijklmnopqrstuvwx',
      'sk-ant-api03-abcdefghijklmnopqrstuv',
      'AKIAIOSFODNN7EXAMPLE',
      `ghp_${'a'.repeat(36)}`,
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdEFGH_ij',
    ];
    for (const secret of secrets) expect(redacted(`key ${secret} end`)).toBe('key [SECRET] end');
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(redacted(`here:\n${pem}\nthanks`)).toBe('here:\n[SECRET]\nthanks');
    expect(redacted('cut: -----BEGIN PRIVATE KEY-----\nMIIE')).toBe('cut: [SECRET]');
    expect(labels('a task-list and sk-short')).toEqual([]);
  });

  it('looks only for the entities asked for', () => {
    expect(findPii('a@b.io 192.168.0.1', ['ip_address']).map((f) => f.label)).toEqual([
      'ip_address',
    ]);
  });

  it('uses patterns with no catastrophic backtracking (recheck)', () => {
    const patterns = Object.entries(PII_PATTERNS)
      .filter(([name]) => name !== 'secret')
      .map(([name, pattern]) => [name, pattern.source]);
    // The secret pattern is their alternation: each shape is checked on its own.
    for (const shape of SECRET_SHAPES) patterns.push([shape, bounded(shape)]);
    for (const [name, source] of patterns) {
      const verdict = checkSync(source, '', { timeout: 60_000 });
      expect(`${name}: ${verdict.status}`).toBe(`${name}: safe`);
    }
  }, 180_000);
});
