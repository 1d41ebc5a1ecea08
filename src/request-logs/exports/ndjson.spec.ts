import { LOG_FIELDS } from '../log-record';
import { csvField, csvHeader, csvRow, ndjsonLine } from './ndjson';
import { bySlice, slicePrefix } from './s3-sink';
import { signBatch } from './http-sink';
import { otlpAttributes } from './otlp-sink';
import { sampleRecord } from '../../../test/e2e/support/request-logs';

describe('export encodings', () => {
  it('writes one NDJSON line per record, keys in schema order', () => {
    const record = sampleRecord();
    const line = ndjsonLine(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(line) as object)).toEqual(LOG_FIELDS);
  });

  it('keeps nested values whole: the guardrail outcomes are not filtered by the field list', () => {
    const guardrails = [
      { policy: 'pii', stage: 'input', outcome: 'redacted', category: 'credit_card' },
      { policy: 'fruit', stage: 'input', outcome: 'pass' },
    ];
    const line = ndjsonLine(sampleRecord({ guardrails, team_id: 'finance' }));
    expect(JSON.parse(line)).toMatchObject({ guardrails, team_id: 'finance' });
  });

  it('quotes CSV fields as RFC 4180 says and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(null)).toBe('');
    expect(csvField(false)).toBe('false');
    expect(csvHeader().split(',')).toHaveLength(LOG_FIELDS.length);
    expect(csvRow(sampleRecord({ user_agent: 'a,b' }))).toContain('"a,b"');
  });

  it('names S3 objects by the hour slice of each record', () => {
    expect(slicePrefix('logs', '2026-11-30T17:59:59.999Z')).toBe('logs/2026/11/30/17/');
    expect(slicePrefix('', '2026-01-02T03:00:00.000Z')).toBe('2026/01/02/03/');
    const slices = bySlice('p', [
      sampleRecord({ time: '2026-11-30T17:00:00.000Z' }),
      sampleRecord({ time: '2026-11-30T18:00:00.000Z' }),
      sampleRecord({ time: '2026-11-30T17:30:00.000Z' }),
    ]);
    expect([...slices].map(([k, v]) => [k, v.length])).toEqual([
      ['p/2026/11/30/17/', 2],
      ['p/2026/11/30/18/', 1],
    ]);
  });

  it('signs HTTP batches with HMAC-SHA256 over the timestamp and the body', () => {
    // printf '1764522000.{"a":1}\n' | openssl dgst -sha256 -hmac secret
    expect(signBatch('secret', 1_764_522_000, '{"a":1}\n')).toBe(
      't=1764522000,v1=e4c61668aa6f90918d4b3d6fd95113e6cb07062e953a1b70fc7576587bfbbb4a',
    );
    expect(signBatch('secret', 1, 'x')).not.toBe(signBatch('other', 1, 'x'));
  });

  it('makes OTel attributes of the fields, with log.record.uid for deduplication', () => {
    const record = sampleRecord({
      guardrails: [{ policy: 'pii', stage: 'input', outcome: 'redacted' }],
    });
    const attributes = otlpAttributes(record);
    expect(attributes['log.record.uid']).toBe(record.id);
    expect(attributes['gateway.status']).toBe(200);
    expect(attributes['gateway.guardrails']).toBe(JSON.stringify(record.guardrails));
    expect('gateway.virtual_key_id' in attributes).toBe(false);
  });
});
