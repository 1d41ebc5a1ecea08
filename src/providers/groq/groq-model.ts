/** A model as Groq lists it (`GET /openai/v1/models`). Unknown fields are kept. */
export interface GroqModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  active?: boolean;
  context_window?: number;
  max_completion_tokens?: number;
  [field: string]: unknown;
}
