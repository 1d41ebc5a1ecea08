import { requestTextParts } from './text-parts';

const params = (shape: Parameters<typeof requestTextParts>[0], body: unknown) =>
  requestTextParts(shape, body).map((p) => `${p.param}=${p.text}`);

describe('requestTextParts', () => {
  it('names chat parts as the client wrote them, tool arguments included', () => {
    expect(
      params('chat', {
        messages: [
          { role: 'system', content: 'sys' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ function: { name: 'f', arguments: '{}' } }],
          },
        ],
      }),
    ).toEqual([
      'messages[0].content=sys',
      'messages[1].content[0]=a',
      'messages[1].content[1]=b',
      'messages[2].tool_calls[0].function.arguments={}',
    ]);
  });

  it('names Responses, completions and Anthropic parts in their own terms', () => {
    expect(
      params('responses', {
        instructions: 'i',
        input: [
          { role: 'user', content: 'x' },
          { type: 'function_call_output', output: 'o' },
        ],
      }),
    ).toEqual(['instructions=i', 'input[0]=x', 'input[1].output=o']);
    expect(params('responses', { input: 'hello' })).toEqual(['input=hello']);
    expect(params('completions', { prompt: ['p'] })).toEqual(['prompt[0]=p']);
    expect(
      params('anthropic', {
        system: [{ type: 'text', text: 's' }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't', content: 'r' },
              { type: 'text', text: 'q' },
            ],
          },
        ],
      }),
    ).toEqual(['system[0]=s', 'messages[0].content[0].content=r', 'messages[0].content[1]=q']);
  });

  it('writes a redaction back in place', () => {
    const body = { messages: [{ role: 'user', content: 'secret' }] };
    requestTextParts('chat', body)[0].set('[REDACTED]');
    expect(body.messages[0].content).toBe('[REDACTED]');
  });
});
