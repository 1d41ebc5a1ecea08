import type { ChatCompletion } from '../providers/chat-types';
import type { Channel } from './stream-guard';
import type { ApiShape, TextPart } from './text-parts';

/** The client's name for a piece of an answer, in its own wire format. */
export function outputParam(shape: ApiShape, channel: Channel, index: number): string {
  switch (shape) {
    case 'chat':
      return channel === 'tool'
        ? `choices[0].message.tool_calls[${index}].function.arguments`
        : `choices[0].message.${channel}`;
    case 'responses':
      return channel === 'tool'
        ? `output[${index}].arguments`
        : channel === 'reasoning'
          ? 'reasoning'
          : 'output_text';
    case 'completions':
      return 'choices[0].text';
    case 'anthropic':
      return channel === 'tool' ? `content[${index}].input` : 'content';
  }
}

/** The texts of a chat completion an output policy reads: content, reasoning, tool arguments. */
export function completionTextParts(completion: ChatCompletion, shape: ApiShape): TextPart[] {
  const message = completion.choices[0]?.message;
  if (!message) return [];
  const parts: TextPart[] = [];
  if (typeof message.reasoning === 'string' && message.reasoning)
    parts.push({
      param: outputParam(shape, 'reasoning', 0),
      channel: 'reasoning',
      text: message.reasoning,
      set: (text) => (message.reasoning = text),
    });
  if (typeof message.content === 'string' && message.content)
    parts.push({
      param: outputParam(shape, 'content', 0),
      channel: 'content',
      text: message.content,
      set: (text) => (message.content = text),
    });
  message.tool_calls?.forEach((call, index) => {
    const fn = call.function;
    if (fn && typeof fn.arguments === 'string')
      parts.push({
        param: outputParam(shape, 'tool', index),
        channel: 'tool',
        text: fn.arguments,
        set: (text) => (fn.arguments = text),
      });
  });
  return parts;
}
