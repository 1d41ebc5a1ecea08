import type { ChatMessage } from '../../providers/chat-types';

export interface ModerationVerdict {
  unsafe: boolean;
  /** The hazard codes the model named (Llama Guard) or its category (safeguard). */
  categories: string[];
}

/**
 * Llama Guard's answer: `safe`, or `unsafe` then a line of codes (`unsafe\nS1,S10`). Anything
 * else is not an answer, and throws (the policy's onError decides).
 */
export function parseLlamaGuard(answer: string): ModerationVerdict {
  const [verdict, codes = ''] = answer.trim().split(/\s*\n\s*/, 2);
  const word = verdict.trim().toLowerCase();
  if (word === 'safe') return { unsafe: false, categories: [] };
  if (word === 'unsafe')
    return {
      unsafe: true,
      categories: codes
        .split(/[,\s]+/)
        .map((c) => c.trim().toUpperCase())
        .filter((c) => /^S\d{1,2}$/.test(c)),
    };
  throw new Error('not a Llama Guard answer');
}

/** Whether a verdict counts for a policy: any of its categories (or any, with none listed). */
export function violates(verdict: ModerationVerdict, categories: readonly string[]): string[] {
  if (!verdict.unsafe) return [];
  if (categories.length === 0) return verdict.categories.length ? verdict.categories : ['unsafe'];
  return verdict.categories.filter((c) => categories.includes(c));
}

export const DEFAULT_SAFEGUARD_POLICY =
  'Content violates the policy if it helps with violence, weapons, crime, self-harm, hate or harassment, sexual content involving minors, or the theft of credentials or personal data.';

/** The messages gpt-oss-safeguard judges: the policy as the system prompt, the content as user. */
export function safeguardMessages(policy: string | undefined, content: string): ChatMessage[] {
  return [
    {
      role: 'system',
      content: `${policy ?? DEFAULT_SAFEGUARD_POLICY}\n\nAnswer with JSON only: {"violation": 1, "category": "<short name>"} when the content violates this policy, {"violation": 0} when it does not.`,
    },
    { role: 'user', content },
  ];
}

/** gpt-oss-safeguard's answer: the JSON asked for, or a bare `1` / `0` / `VIOLATION` / `SAFE`. */
export function parseSafeguard(answer: string): ModerationVerdict {
  const text = answer.trim();
  const json = /\{[^{}]*\}/.exec(text);
  if (json) {
    try {
      const parsed = JSON.parse(json[0]) as { violation?: unknown; category?: unknown };
      const unsafe =
        parsed.violation === 1 || parsed.violation === true || parsed.violation === '1';
      const category =
        typeof parsed.category === 'string' && parsed.category ? parsed.category : 'policy';
      return { unsafe, categories: unsafe ? [category] : [] };
    } catch {
      // not JSON after all: the bare forms below
    }
  }
  const word = text.split(/\s/, 1)[0].toLowerCase();
  if (word === '1' || word === 'violation' || word === 'unsafe')
    return { unsafe: true, categories: ['policy'] };
  if (word === '0' || word === 'safe') return { unsafe: false, categories: [] };
  throw new Error('not a safeguard answer');
}

/** The conversation Llama Guard judges: the prompt alone (input), or the prompt and the answer. */
export function llamaGuardMessages(
  stage: 'input' | 'output',
  text: string,
  prompt?: string,
): ChatMessage[] {
  if (stage === 'input') return [{ role: 'user', content: text }];
  return [
    { role: 'user', content: prompt || '(no prompt)' },
    { role: 'assistant', content: text },
  ];
}
