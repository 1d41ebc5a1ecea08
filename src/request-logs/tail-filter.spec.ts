import type { LogRecord } from './log-record';
import { matchesTail, tailView } from './tail-filter';

const record = {
  request_id: 'req-1',
  trace_id: 't',
  model: 'groq/llama-3.3-70b-versatile',
  model_asked: 'llama',
  virtual_key_id: 'team-a',
  team_id: 'payments',
  key_id: 'key-1',
  status: 503,
  error_code: 'upstream_error',
  path: '/v1/chat/completions',
  user_agent: 'OpenAI/JS 6',
  request_body: '{"messages":"a needle"}',
  response_body: null,
} as unknown as LogRecord;

describe('live tail filter', () => {
  it('matches with no filter, and on each field as the list filters', () => {
    expect(matchesTail(record, {})).toBe(true);
    expect(matchesTail(record, { model: 'groq/llama-3.3-70b-versatile' })).toBe(true);
    expect(matchesTail(record, { model: 'llama' })).toBe(false);
    expect(matchesTail(record, { virtualKey: 'team-b' })).toBe(false);
    expect(matchesTail(record, { keyId: 'key-1' })).toBe(true);
    expect(matchesTail(record, { code: 'upstream_error' })).toBe(true);
    expect(matchesTail(record, { status: { min: 500, max: 599 } })).toBe(true);
    expect(matchesTail(record, { status: { min: 200, max: 299 } })).toBe(false);
  });

  it("shows a team-scoped reader only its teams' calls", () => {
    expect(matchesTail(record, { teams: ['payments'] })).toBe(true);
    expect(matchesTail(record, { teams: ['search'] })).toBe(false);
    expect(matchesTail(record, { teams: [] })).toBe(false);
    expect(matchesTail({ ...record, team_id: null }, { teams: ['payments'] })).toBe(false);
  });

  it('matches free text case-insensitively in ids, models, codes, paths, agents and bodies', () => {
    expect(matchesTail(record, { q: 'REQ-1' })).toBe(true);
    expect(matchesTail(record, { q: 'openai/js' })).toBe(true);
    expect(matchesTail(record, { q: 'needle' })).toBe(true);
    expect(matchesTail(record, { q: 'haystack' })).toBe(false);
    // A reader who may not see bodies cannot find calls by their text either.
    expect(matchesTail(record, { q: 'needle', searchBodies: false })).toBe(false);
  });

  it('sends records without their bodies', () => {
    expect(tailView(record)).not.toHaveProperty('request_body');
    expect(tailView(record)).not.toHaveProperty('response_body');
    expect(tailView(record)).toMatchObject({ request_id: 'req-1' });
  });
});
