import { CLIENT_CLOSED_REQUEST } from './ended-call';
import { unreportedUsage, type UnreportedUsageInputs } from './unreported-usage';

function ended(fields: Partial<UnreportedUsageInputs>): UnreportedUsageInputs {
  return {
    upstreamStarted: true,
    status: CLIENT_CLOSED_REQUEST,
    streamedTextChars: 0,
    streamedTextFrames: 0,
    estimatePromptTokens: () => 20,
    ...fields,
  };
}

describe('unreportedUsage', () => {
  it('charges a stream the client left the output it was sent, not only its prompt', () => {
    // 1,080 chunks of "word " read before the client left.
    expect(
      unreportedUsage(ended({ streamedTextChars: 5 * 1080, streamedTextFrames: 1080 })),
    ).toEqual({ prompt_tokens: 20, completion_tokens: 1350, total_tokens: 1370 });
  });

  it('counts at least a token for each frame that carried text (one character a token, CJK)', () => {
    expect(
      unreportedUsage(ended({ streamedTextChars: 300, streamedTextFrames: 300 }))
        ?.completion_tokens,
    ).toBe(300);
  });

  it('never charges more output than the limit Groq was sent (the clamp or max_tokens)', () => {
    const usage = unreportedUsage(
      ended({
        streamedTextChars: 5 * 1080,
        streamedTextFrames: 1080,
        upstream: { body: { max_completion_tokens: 1200 } },
      }),
    );
    expect(usage?.completion_tokens).toBe(1200);
  });

  it('charges a stream that failed after sending text what it sent, whatever its status', () => {
    for (const status of [200, CLIENT_CLOSED_REQUEST])
      expect(
        unreportedUsage(
          ended({
            status,
            errorCode: 'upstream_error',
            streamedTextChars: 40,
            streamedTextFrames: 8,
          }),
        ),
      ).toEqual({ prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
  });

  it('charges a call that reached Groq and was left before any text its prompt', () => {
    expect(unreportedUsage(ended({}))).toEqual({
      prompt_tokens: 20,
      completion_tokens: 0,
      total_tokens: 20,
    });
  });

  it('charges nothing for a call that never reached Groq, or failed before sending anything', () => {
    expect(unreportedUsage(ended({ upstreamStarted: false }))).toBeUndefined();
    expect(
      unreportedUsage(ended({ status: 502, errorCode: 'upstream_unreachable' })),
    ).toBeUndefined();
    expect(unreportedUsage(ended({ errorCode: 'upstream_timeout' }))).toBeUndefined();
  });
});
