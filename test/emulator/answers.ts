import type { EmulatedModel } from './models';

/**
 * Deterministic answers, so tests can assert on them: an echo of the last user message, a tool
 * call built from the tool's JSON schema, JSON for JSON mode, reasoning for reasoning models.
 */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface Answer {
  content?: string;
  reasoning?: string;
  toolCalls?: ToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  /** The content split as it streams, one piece per chunk. */
  pieces: string[];
  /** Built-in tools Groq ran itself (gpt-oss browser_search / code_interpreter, Compound). */
  executedTools?: ExecutedTool[];
  /** Citations of the request's documents (citation_options enabled). */
  annotations?: Array<Record<string, unknown>>;
  /** Compound: the models it ran and what each used. */
  usageBreakdown?: { models: Array<{ model: string; usage: Record<string, number> }> };
}

export interface ExecutedTool {
  index: number;
  type: string;
  arguments: string;
  output: string;
  search_results?: {
    results: Array<{ title: string; url: string; content: string; score: number }>;
  };
}

interface ChatBody {
  messages: Array<{ role: string; content?: unknown; tool_call_id?: string }>;
  tools?: Array<{ type?: string; function?: { name: string; parameters?: JsonSchema } }>;
  tool_choice?: unknown;
  response_format?: { type?: string; json_schema?: { schema?: JsonSchema } };
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  reasoning_format?: string;
  include_reasoning?: boolean;
  documents?: Array<{ id?: string; source: { type: string; text?: string } }>;
  citation_options?: string;
}

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  enum?: unknown[];
}

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((part: { text?: string }) => part.text ?? '').join(' ');
  return '';
}

export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

export function answerFor(body: ChatBody, model: EmulatedModel, makeId: () => string): Answer {
  const promptTokens = body.messages.reduce(
    (sum, m) => sum + countTokens(textOf(m.content)) + 4,
    0,
  );
  const last = body.messages[body.messages.length - 1];
  const reasoning =
    model.reasoning && body.reasoning_format !== 'hidden' && body.include_reasoning !== false
      ? 'The user wants a short answer. I will reply directly.'
      : undefined;
  const reasoningTokens = model.reasoning ? 11 : 0;

  const tool = chosenTool(body);
  // Built-in tools run inside Groq; only function tools become tool calls for the client.
  if (tool && last.role !== 'tool') {
    const args = JSON.stringify(sampleFor(tool.function.parameters ?? { type: 'object' }));
    const id =
      model.reasoning === 'gpt-oss' ? `fc_${makeId()}` : makeId().replace(/-/g, '').slice(0, 9);
    return {
      reasoning,
      toolCalls: [
        { id, type: 'function', function: { name: tool.function.name, arguments: args } },
      ],
      finishReason: 'tool_calls',
      promptTokens,
      completionTokens: countTokens(args) + 5 + reasoningTokens,
      reasoningTokens,
      pieces: [],
    };
  }

  let text: string;
  const format = body.response_format?.type;
  const hazards =
    model.id.includes('llama-guard') || model.id.includes('safeguard')
      ? hazardsIn(textOf(last.content))
      : undefined;
  if (hazards && model.id.includes('llama-guard')) {
    text = hazards.length ? `unsafe\n${hazards.join(',')}` : 'safe';
  } else if (hazards) {
    text = JSON.stringify(
      hazards.length ? { violation: 1, category: hazards[0] } : { violation: 0 },
    );
  } else if (format === 'json_schema') {
    text = JSON.stringify(
      sampleFor(body.response_format?.json_schema?.schema ?? { type: 'object' }),
    );
  } else if (format === 'json_object') {
    text = JSON.stringify({ answer: `You said: ${textOf(lastUser(body)?.content).slice(0, 80)}` });
  } else if (last.role === 'tool') {
    text = `The tool returned: ${textOf(last.content)}`;
  } else {
    const said = textOf(lastUser(body)?.content)
      .replace(/\[fault:[^\]]*\]/g, '')
      .replace(PIECES, '')
      .trim();
    // `[words:N]` in the message asks for a long answer (N tokens), as a real model may write.
    const words = /\[words:(\d{1,6})\]/.exec(said);
    // `[recall]` asks what the conversation began with (proof that earlier turns were seen).
    const first = body.messages.find((m) => m.role === 'user');
    text = words
      ? 'word '.repeat(Number(words[1])).trim()
      : said.includes('[recall]')
        ? `Earlier you said: ${textOf(first?.content).slice(0, 200)}`
        : `Hello from the Groq emulator (${model.id}). You said: ${said.slice(0, 200)}`;
  }

  let finishReason: Answer['finishReason'] = 'stop';
  // Groq's `stop`: the answer ends before the earliest match, which is left out, and Groq stops
  // writing there (it counts no more tokens); finish_reason is 'stop', as for a natural end.
  const stops = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []);
  for (const stop of stops) {
    const at = stop ? text.indexOf(stop) : -1;
    if (at >= 0) text = text.slice(0, at);
  }
  // `[pieces:N]`: tokens of N characters, cut anywhere (real tokens are pieces of words, so an
  // address or a long word arrives over several chunks).
  const size = PIECES_SIZE.exec(textOf(lastUser(body)?.content));
  let pieces = size
    ? (text.match(new RegExp(`[^]{1,${Math.max(1, Number(size[1]))}}`, 'g')) ?? [])
    : splitPieces(text);
  // `null` is "no limit", as Groq (and OpenAI) read it.
  const limit = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  if (limit !== undefined && pieces.length > limit) {
    pieces = pieces.slice(0, limit);
    text = pieces.join('');
    finishReason = 'length';
  }
  const completionTokens = pieces.length + reasoningTokens;
  const answer: Answer = {
    content: text,
    reasoning,
    finishReason,
    promptTokens,
    completionTokens,
    reasoningTokens,
    pieces,
  };
  const said = textOf(lastUser(body)?.content).slice(0, 80);
  const builtIn = body.tools?.find(
    (t) => t.type === 'browser_search' || t.type === 'code_interpreter',
  );
  if (model.compound || builtIn) {
    const type = model.compound ? 'search' : (builtIn?.type ?? 'browser_search');
    answer.executedTools = [
      {
        index: 0,
        type,
        arguments: JSON.stringify(
          type === 'code_interpreter' ? { code: 'print(6*7)' } : { query: said },
        ),
        output: type === 'code_interpreter' ? '42\n' : `Results for ${said}`,
        ...(type === 'code_interpreter'
          ? {}
          : {
              search_results: {
                results: [
                  {
                    title: 'Emulated result',
                    url: 'https://example.org/emulated',
                    content: said,
                    score: 0.9,
                  },
                ],
              },
            }),
      },
    ];
  }
  if (model.compound) {
    // Compound ran a reasoning model for the tool call and an answering model for the text.
    const half = Math.ceil(promptTokens / 2);
    answer.usageBreakdown = {
      models: [
        {
          model: 'openai/gpt-oss-120b',
          usage: { prompt_tokens: half, completion_tokens: 5, total_tokens: half + 5 },
        },
        {
          model: 'openai/gpt-oss-20b',
          usage: {
            prompt_tokens: promptTokens - half,
            completion_tokens: completionTokens,
            total_tokens: promptTokens - half + completionTokens,
          },
        },
      ],
    };
  }
  if (body.citation_options !== 'disabled' && body.documents?.length) {
    answer.annotations = body.documents.map((document, index) => ({
      type: 'document_citation',
      document_citation: {
        document_id: document.id ?? String(index),
        start_index: 0,
        end_index: Math.min(text.length, 10),
      },
    }));
  }
  if (reasoning && body.reasoning_format === 'raw') {
    // raw: the reasoning inline, in <think> tags, before the answer.
    answer.reasoning = undefined;
    answer.content = `<think>${reasoning}</think>${text}`;
    answer.pieces = [`<think>${reasoning}</think>`, ...pieces];
  }
  return answer;
}

/**
 * Safety models answer deterministically on trigger phrases in the message they judge (the last
 * one: the prompt, or the answer in a prompt-and-answer pair), as Llama Guard 4 would: a
 * `[unsafe:S1,S10]` directive names the codes; a few plain phrases map to their hazard.
 */
const TRIGGERS: Array<[RegExp, string]> = [
  [/\bbuild a bomb\b/i, 'S9'],
  [/\bhow to kill\b/i, 'S1'],
  [/\bsteal a car\b/i, 'S2'],
  [/\bhate speech\b/i, 'S10'],
  [/\bhurt myself\b/i, 'S11'],
];

export function hazardsIn(text: string): string[] {
  const directive = /\[unsafe:([^\]]+)\]/.exec(text);
  if (directive) return directive[1].split(',').map((c) => c.trim());
  return TRIGGERS.filter(([pattern]) => pattern.test(text)).map(([, code]) => code);
}

function lastUser(body: ChatBody) {
  return [...body.messages].reverse().find((m) => m.role === 'user');
}

function chosenTool(body: ChatBody) {
  const functions = (body.tools ?? []).filter(
    (t): t is { function: { name: string; parameters?: JsonSchema } } =>
      (t.type ?? 'function') === 'function' && t.function !== undefined,
  );
  if (!functions.length || body.tool_choice === 'none') return undefined;
  const named = (body.tool_choice as { function?: { name?: string } } | undefined)?.function?.name;
  return functions.find((t) => t.function.name === named) ?? functions[0];
}

const PIECES = /\[pieces:\d{1,3}\]/g;
const PIECES_SIZE = /\[pieces:(\d{1,3})\]/;

/** Words with their following space, so joined pieces give the text back exactly. */
function splitPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

export function sampleFor(schema: JsonSchema): unknown {
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(schema.properties ?? {}))
        out[key] = sampleFor(child);
      return out;
    }
    case 'array':
      return [sampleFor(schema.items ?? { type: 'string' })];
    case 'integer':
    case 'number':
      return 42;
    case 'boolean':
      return true;
    case 'string':
      return 'Paris';
    default:
      return null;
  }
}
