import { GatewayError } from '../../common/errors/gateway-error';
import { jsonText } from '../../common/http/raw-json';
import { chatChunkFrom, chatCompletionFrom, responsesValueFrom } from './groq-answers';

const completion = {
  id: 'x',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
};
const chunk = {
  id: 'x',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }],
};

function refusal(read: () => unknown): GatewayError {
  try {
    read();
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected a refusal');
}

describe("Groq's 200 answers", () => {
  it('takes a chat completion and keeps its text, to forward it as it came', () => {
    const text = JSON.stringify(completion);
    const value = chatCompletionFrom(text);
    expect(value).toEqual(completion);
    expect(jsonText(value)).toBe(text);
  });

  it('takes chunks, the usage chunk with no choices among them', () => {
    expect(chatChunkFrom(JSON.stringify(chunk))).toEqual(chunk);
    expect(chatChunkFrom('{"id":"x","choices":[],"usage":{"total_tokens":3}}').choices).toEqual([]);
  });

  it.each([
    ['null', 'a body that is not a chat completion'],
    ['{}', 'a body that is not a chat completion'],
    ['{"choices":[null]}', 'a body that is not a chat completion'],
    ['{"choices":[{"index":0}]}', 'a body that is not a chat completion'],
    ['<html>bad gateway</html>', 'a body that is not JSON'],
    ['{"id":"x","choices":[{"index":0,"mess', 'a body that is not JSON'],
    ['', 'a body that is not JSON (it was empty)'],
  ])('refuses the body %s: 502 upstream_error saying what came', (text, said) => {
    const error = refusal(() => chatCompletionFrom(text));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', type: 'api_error' });
    expect(error.message).toContain(`answered 200 with ${said}.`);
  });

  it.each(['null', '{"choices":[{"index":0,"delta":null}]}', '{not json'])(
    'refuses the stream event %s',
    (text) => {
      expect(refusal(() => chatChunkFrom(text))).toMatchObject({ status: 502 });
    },
  );

  it('takes a Responses object, and refuses null or an array', () => {
    expect(responsesValueFrom('{"type":"response.created"}', 'a stream event')).toEqual({
      type: 'response.created',
    });
    expect(refusal(() => responsesValueFrom('null', 'a body')).message).toContain(
      'a body that is not a Responses object',
    );
    expect(refusal(() => responsesValueFrom('[1]', 'a stream event')).status).toBe(502);
  });
});
