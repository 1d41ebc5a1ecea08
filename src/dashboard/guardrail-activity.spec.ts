import type { EndedCall } from '../call/ended-call';
import { countEvent, guardrailEvents, type OutcomeCounts } from './guardrail-activity';

const call = {
  requestId: 'req-1',
  startedAtMs: Date.parse('2026-11-30T12:00:00Z'),
  status: 400,
  model: 'groq/llama-3.3-70b-versatile',
  virtualKeyId: 'search-key',
  teamId: 'search',
  guardrails: [
    { policy: 'pii', stage: 'input', outcome: 'redacted' },
    { policy: 'toxicity', stage: 'input', outcome: 'pass' },
    { policy: 'banned', stage: 'input', outcome: 'blocked', category: 'words' },
  ],
} as unknown as EndedCall;

describe('guardrail activity', () => {
  it('turns the outcomes other than pass into events with the call around them', () => {
    expect(guardrailEvents(call)).toEqual([
      expect.objectContaining({ policy: 'pii', outcome: 'redacted', category: null }),
      {
        time: '2026-11-30T12:00:00.000Z',
        requestId: 'req-1',
        policy: 'banned',
        stage: 'input',
        outcome: 'blocked',
        category: 'words',
        status: 400,
        model: 'groq/llama-3.3-70b-versatile',
        virtualKey: 'search-key',
        team: 'search',
      },
    ]);
    expect(guardrailEvents({ ...call, guardrails: undefined })).toEqual([]);
  });

  it('counts what each policy did', () => {
    const counts = new Map<string, OutcomeCounts>();
    for (const event of [...guardrailEvents(call), ...guardrailEvents(call)])
      countEvent(counts, event);
    expect(Object.fromEntries(counts)).toEqual({
      pii: { blocked: 0, flagged: 0, redacted: 2, error: 0 },
      banned: { blocked: 2, flagged: 0, redacted: 0, error: 0 },
    });
  });
});
