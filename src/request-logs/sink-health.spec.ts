import { errorReason, sinkHealth } from './sink-health';

describe('sinkHealth', () => {
  it('is available when nothing is wrong', () => {
    expect(sinkHealth({})).toEqual({ available: true });
  });

  it('names the first problem: open, write, probe, then a full queue', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(
      sinkHealth({ openFailing: { error: refused }, queueFull: { length: 5, block: false } }),
    ).toEqual({
      available: false,
      reason: 'cannot be opened (connect ECONNREFUSED 127.0.0.1:5432)',
    });
    expect(sinkHealth({ writeFailing: { error: refused } }).reason).toBe(
      'writes fail (connect ECONNREFUSED 127.0.0.1:5432)',
    );
    expect(sinkHealth({ probeFailing: { error: new Error('timeout') } }).reason).toBe(
      'does not answer (timeout)',
    );
    expect(sinkHealth({ queueFull: { length: 10, block: false } }).reason).toBe(
      'cannot keep up: its queue is full (10 records) and new records are dropped',
    );
    expect(sinkHealth({ queueFull: { length: 10, block: true } }).reason).toContain(
      'new calls wait at admission',
    );
  });
});

describe('errorReason', () => {
  it('keeps the system code and never a URL', () => {
    const readonly = Object.assign(new Error('attempt to write a readonly database'), {
      code: 'SQLITE_READONLY',
    });
    expect(errorReason(readonly)).toBe('SQLITE_READONLY: attempt to write a readonly database');
    expect(
      errorReason(new Error('POST https://logs.example.com/ingest?token=s3cr3t failed: 503')),
    ).toBe('POST <url> failed: 503');
    expect(errorReason(new Error('x'.repeat(500)))).toHaveLength(160);
    expect(errorReason('')).toBe('unknown error');
  });
});
