/**
 * Groq model retirements known when this gateway was built: the retired id (as Groq knows it), the
 * day Groq stopped serving it (UTC), and the successor Groq recommends (or, where it named none
 * for this gateway's use, the one this gateway chose; marked). Where each fact was read is in
 * `source`; docs/model-lifecycle.md lists them. Extended and overridden by `models.successors`;
 * ids Groq answers `model_decommissioned` for are learnt at run time.
 */
export interface KnownRetirement {
  readonly id: string;
  /** `YYYY-MM-DD`, UTC: from this day Groq answers 400 model_decommissioned. */
  readonly retiredOn: string;
  readonly successor?: string;
  readonly source: string;
}

const STORED_2026 =
  "secondary sources in the stored docs quoting Groq's announcement (papi-ai/groq v0.15.2 release notes; codedaily04/commit-craft#1)";
const GROQ_PAGE =
  'console.groq.com/docs/deprecations (the stored copy: its table was not readable here; date as Groq published it, unverified)';

export const GROQ_RETIREMENTS: readonly KnownRetirement[] = [
  {
    id: 'llama-3.3-70b-versatile',
    retiredOn: '2026-08-16',
    successor: 'openai/gpt-oss-120b',
    source: STORED_2026,
  },
  {
    id: 'llama-3.1-8b-instant',
    retiredOn: '2026-08-16',
    // Groq suggested gpt-oss-120b or qwen3.6-27b for the pair; the small, cheap gpt-oss-20b is
    // the closer fit for an 8B "instant" model (what papi-ai's docs moved to as well).
    successor: 'openai/gpt-oss-20b',
    source: `${STORED_2026}; successor chosen by this gateway`,
  },
  {
    id: 'mixtral-8x7b-32768',
    retiredOn: '2025-03-20',
    successor: 'llama-3.3-70b-versatile',
    source: 'papi-ai/groq v0.15.2 release notes (stored docs)',
  },
  {
    id: 'llama3-70b-8192',
    retiredOn: '2025-08-30',
    successor: 'llama-3.3-70b-versatile',
    source: GROQ_PAGE,
  },
  {
    id: 'llama3-8b-8192',
    retiredOn: '2025-08-30',
    successor: 'llama-3.1-8b-instant',
    source: GROQ_PAGE,
  },
  {
    id: 'gemma2-9b-it',
    retiredOn: '2025-10-08',
    successor: 'llama-3.1-8b-instant',
    source: GROQ_PAGE,
  },
  { id: 'gemma-7b-it', retiredOn: '2024-12-18', successor: 'gemma2-9b-it', source: GROQ_PAGE },
  {
    id: 'llama2-70b-4096',
    retiredOn: '2024-03-05',
    successor: 'llama3-70b-8192',
    source: GROQ_PAGE,
  },
];

/** Where Groq lists its retirements, for the `Link: rel="deprecation"` header (RFC 9745). */
export const GROQ_DEPRECATIONS_URL = 'https://console.groq.com/docs/deprecations';
