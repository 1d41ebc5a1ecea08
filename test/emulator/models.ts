/** The emulator's model catalogue: today's Groq ids, speech/guard models, and retired ids. */
export interface EmulatedModel {
  id: string;
  owned_by: string;
  context_window: number;
  max_completion_tokens: number;
  input_modalities: string[];
  output_modalities: string[];
  reasoning?: 'gpt-oss' | 'qwen';
  chat: boolean;
  /** gpt-oss runs Groq's built-in tools (browser_search, code_interpreter). */
  builtInTools?: boolean;
  /** Groq's Compound: answers with executed_tools and a usage_breakdown of the models it ran. */
  compound?: boolean;
}

const CREATED = 1_700_000_000;

export const CURRENT_MODELS: EmulatedModel[] = [
  {
    id: 'openai/gpt-oss-120b',
    owned_by: 'OpenAI',
    context_window: 131072,
    max_completion_tokens: 65536,
    input_modalities: ['text'],
    output_modalities: ['text'],
    reasoning: 'gpt-oss',
    chat: true,
    builtInTools: true,
  },
  {
    id: 'openai/gpt-oss-20b',
    owned_by: 'OpenAI',
    context_window: 131072,
    max_completion_tokens: 65536,
    input_modalities: ['text'],
    output_modalities: ['text'],
    reasoning: 'gpt-oss',
    chat: true,
    builtInTools: true,
  },
  {
    id: 'qwen/qwen3-32b',
    owned_by: 'Alibaba Cloud',
    context_window: 131072,
    max_completion_tokens: 40960,
    input_modalities: ['text'],
    output_modalities: ['text'],
    reasoning: 'qwen',
    chat: true,
  },
  {
    id: 'qwen/qwen3.6-27b',
    owned_by: 'Alibaba Cloud',
    context_window: 131072,
    max_completion_tokens: 40960,
    input_modalities: ['text'],
    output_modalities: ['text'],
    reasoning: 'qwen',
    chat: true,
  },
  {
    id: 'moonshotai/kimi-k2-instruct-0905',
    owned_by: 'Moonshot AI',
    context_window: 262144,
    max_completion_tokens: 16384,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'meta-llama/llama-4-scout-17b-16e-instruct',
    owned_by: 'Meta',
    context_window: 131072,
    max_completion_tokens: 8192,
    input_modalities: ['text', 'image'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'groq/compound',
    owned_by: 'Groq',
    context_window: 131072,
    max_completion_tokens: 8192,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
    compound: true,
  },
  {
    id: 'groq/compound-mini',
    owned_by: 'Groq',
    context_window: 131072,
    max_completion_tokens: 8192,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
    compound: true,
  },
  {
    id: 'moonshotai/kimi-k2-instruct',
    owned_by: 'Moonshot AI',
    context_window: 131072,
    max_completion_tokens: 16384,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'llama-3.3-70b-versatile',
    owned_by: 'Meta',
    context_window: 131072,
    max_completion_tokens: 32768,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'llama-3.1-8b-instant',
    owned_by: 'Meta',
    context_window: 131072,
    max_completion_tokens: 131072,
    input_modalities: ['text'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'meta-llama/llama-guard-4-12b',
    owned_by: 'Meta',
    context_window: 131072,
    max_completion_tokens: 1024,
    input_modalities: ['text', 'image'],
    output_modalities: ['text'],
    chat: true,
  },
  {
    id: 'openai/gpt-oss-safeguard-20b',
    owned_by: 'OpenAI',
    context_window: 131072,
    max_completion_tokens: 65536,
    input_modalities: ['text'],
    output_modalities: ['text'],
    reasoning: 'gpt-oss',
    chat: true,
  },
  {
    id: 'whisper-large-v3',
    owned_by: 'OpenAI',
    context_window: 448,
    max_completion_tokens: 448,
    input_modalities: ['audio'],
    output_modalities: ['text'],
    chat: false,
  },
];

/** Ids from the provider guide that Groq has retired. */
export const RETIRED_MODELS: EmulatedModel[] = [
  'llama3-70b-8192',
  'llama3-8b-8192',
  'mixtral-8x7b-32768',
  'gemma-7b-it',
  'gemma2-9b-it',
  'llama2-70b-4096',
].map((id) => ({
  id,
  owned_by: id.startsWith('mixtral') ? 'Mistral AI' : id.startsWith('gemma') ? 'Google' : 'Meta',
  context_window: 8192,
  max_completion_tokens: 8192,
  input_modalities: ['text'],
  output_modalities: ['text'],
  chat: true,
}));

export function toWireModel(model: EmulatedModel): Record<string, unknown> {
  return {
    id: model.id,
    object: 'model',
    created: CREATED,
    owned_by: model.owned_by,
    active: true,
    context_window: model.context_window,
    public_apps: null,
    max_completion_tokens: model.max_completion_tokens,
    name: model.id,
    input_modalities: model.input_modalities,
    output_modalities: model.output_modalities,
    supported_features: model.chat ? ['chat', 'tools', 'json_mode'] : ['transcription'],
  };
}
