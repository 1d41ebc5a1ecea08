/** OpenAI's legacy text completion shapes (see groq-wire.md). */
export interface CompletionRequest {
  model: string;
  prompt: string | unknown[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  stop?: string | string[];
  stream?: boolean;
  echo?: boolean;
  suffix?: string | null;
  best_of?: number;
  logprobs?: number | null;
  user?: string;
  [field: string]: unknown;
}

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint?: string;
  choices: Array<{ text: string; index: number; logprobs: null; finish_reason: string | null }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}
