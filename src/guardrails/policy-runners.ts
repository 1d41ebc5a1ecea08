import type { ChatMessage } from '../providers/chat-types';
import type { Finding } from './detectors/finding';
import { judgeJson } from './detectors/json-schema';
import { keywordMatcher, keywordsHoldChars } from './detectors/keywords';
import {
  llamaGuardMessages,
  parseLlamaGuard,
  parseSafeguard,
  safeguardMessages,
  violates,
} from './detectors/moderation';
import { findPii, piiHoldChars } from './detectors/pii';
import { streamHoldChars } from './detectors/match-span';
import { compilePattern, findPatterns } from './detectors/regex';
import type { GuardrailPolicy, ModerationPolicy, WebhookPolicy } from './guardrails-config';
import type { CheckedCall, JudgeInput, Judgement, PolicyRunner } from './policy-runner';

/** What judges reach outside the process through: the gateway's upstream path, and HTTP. */
export interface JudgeTransport {
  /** The safety model's answer text, through the gateway's own upstream path. */
  moderate(policy: ModerationPolicy, messages: ChatMessage[], call: CheckedCall): Promise<string>;
  /** The detector's JSON answer; throws on a transport failure, a timeout or a non-2xx. */
  webhook(policy: WebhookPolicy, body: WebhookRequest): Promise<unknown>;
}

/** What the gateway POSTs to a webhook detector (docs/guardrails.md). */
export interface WebhookRequest {
  policy: string;
  stage: 'input' | 'output';
  requestId: string;
  texts: Array<{ param: string; text: string }>;
}

export function policyRunner(policy: GuardrailPolicy, transport: JudgeTransport): PolicyRunner {
  switch (policy.kind) {
    case 'pii':
      return {
        policy,
        find: (text) => findPii(text, policy.entities),
        holdChars: piiHoldChars(policy.entities),
      };
    case 'keywords': {
      const matcher = keywordMatcher(policy.words);
      return {
        policy,
        find: (text) => matcher.find(text),
        holdChars: keywordsHoldChars(policy.words),
      };
    }
    case 'regex': {
      const patterns = policy.patterns.map(compilePattern);
      return {
        policy,
        find: (text) => findPatterns(text, patterns),
        holdChars: Math.max(0, ...policy.patterns.map(streamHoldChars)),
      };
    }
    case 'json_schema':
      return {
        policy,
        judge: ({ parts, call }) => {
          const content = parts.filter((p) => p.channel === 'content');
          if (content.length === 0) return Promise.resolve({ violated: false });
          const verdict = judgeJson(
            content.map((p) => p.text).join(''),
            policy.schema ?? call.schema,
          );
          return Promise.resolve(
            verdict.valid
              ? { violated: false }
              : { violated: true, category: verdict.category, param: content[0].param },
          );
        },
      };
    case 'moderation':
      return { policy, judge: (input) => moderate(policy, input, transport) };
    case 'webhook':
      return { policy, judge: (input) => webhook(policy, input, transport) };
  }
}

async function moderate(
  policy: ModerationPolicy,
  { stage, parts, call }: JudgeInput,
  transport: JudgeTransport,
): Promise<Judgement> {
  const text = parts.map((p) => p.text).join('\n');
  if (!text.trim()) return { violated: false };
  const safeguard = policy.model.includes('safeguard');
  const messages = safeguard
    ? safeguardMessages(policy.policy, text)
    : llamaGuardMessages(stage, text, call.prompt);
  const answer = await transport.moderate(policy, messages, call);
  const verdict = safeguard ? parseSafeguard(answer) : parseLlamaGuard(answer);
  const hit = safeguard ? verdict.categories : violates(verdict, policy.categories);
  return hit.length === 0 ? { violated: false } : { violated: true, category: hit.join(',') };
}

async function webhook(
  policy: WebhookPolicy,
  { stage, parts, call }: JudgeInput,
  transport: JudgeTransport,
): Promise<Judgement> {
  const answer = await transport.webhook(policy, {
    policy: policy.id,
    stage,
    requestId: call.requestId,
    texts: parts.map((p) => ({ param: p.param, text: p.text })),
  });
  if (
    typeof answer !== 'object' ||
    answer === null ||
    typeof (answer as { flagged?: unknown }).flagged !== 'boolean'
  )
    throw new Error('the detector did not answer {"flagged": true|false, ...}');
  const { flagged, category, redactions } = answer as {
    flagged: boolean;
    category?: unknown;
    redactions?: unknown;
  };
  if (!flagged) return { violated: false };
  const spans = new Map<number, Finding[]>();
  if (Array.isArray(redactions)) {
    for (const r of redactions as Array<Record<string, unknown>>) {
      const index = Number(r.index ?? 0);
      const part = parts[index];
      const start = Number(r.start);
      const end = Number(r.end);
      if (
        !part ||
        !Number.isInteger(start) ||
        !Number.isInteger(end) ||
        start < 0 ||
        end > part.text.length ||
        start >= end
      )
        continue;
      const label =
        typeof r.label === 'string' && /^[A-Za-z_]{1,32}$/.test(r.label) ? r.label : 'redacted';
      spans.set(index, [...(spans.get(index) ?? []), { start, end, label }]);
    }
  }
  return {
    violated: true,
    category: typeof category === 'string' && category ? category.slice(0, 64) : 'webhook',
    spans: spans.size > 0 ? spans : undefined,
  };
}
