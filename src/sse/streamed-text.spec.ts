import { ForwardedChunk } from '../providers/upstream/forwarded-chunk';
import { streamedTextLength } from './streamed-text';

describe('streamedTextLength', () => {
  it("counts a chat chunk's content, reasoning and tool-call arguments", () => {
    expect(streamedTextLength({ choices: [{ index: 0, delta: { content: 'Hello ' } }] })).toBe(6);
    expect(
      streamedTextLength({
        choices: [
          {
            delta: {
              reasoning: 'hmm',
              tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"a":' } }],
            },
          },
        ],
      }),
    ).toBe(8);
    expect(streamedTextLength({ choices: [{ delta: { role: 'assistant', content: '' } }] })).toBe(
      0,
    );
    expect(streamedTextLength({ choices: [], usage: { prompt_tokens: 3 } })).toBe(0);
  });

  it('reads a chunk forwarded as its text from the text', () => {
    const chunk = ForwardedChunk.of(
      '{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}',
    );
    expect(streamedTextLength(chunk)).toBe(5);
  });

  it("counts Responses' and Anthropic's text deltas, and nothing in their other events", () => {
    expect(streamedTextLength({ type: 'response.output_text.delta', delta: 'abc' })).toBe(3);
    expect(
      streamedTextLength({ type: 'response.function_call_arguments.delta', delta: '{}' }),
    ).toBe(2);
    expect(streamedTextLength({ type: 'response.created', response: { output: [] } })).toBe(0);
    expect(
      streamedTextLength({
        type: 'content_block_delta',
        delta: { type: 'text_delta', text: 'hi' },
      }),
    ).toBe(2);
    expect(
      streamedTextLength({
        type: 'content_block_delta',
        delta: { type: 'input_json_delta', partial_json: '{"q"' },
      }),
    ).toBe(4);
    expect(streamedTextLength({ type: 'message_delta', delta: { stop_reason: 'end_turn' } })).toBe(
      0,
    );
  });
});
