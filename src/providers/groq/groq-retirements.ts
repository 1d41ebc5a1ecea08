/**
 * Groq model retirements known when this gateway was built: the retired id (as Groq knows it), the
 * day Groq stopped serving it (UTC), and the successor Groq recommends (where it names two, the
 * one still served; marked). Where each fact was read is in `source`; docs/model-lifecycle.md
 * lists them. Extended and overridden by `models.successors`;
 * ids Groq answers `model_decommissioned` for are learnt at run time.
 */
export interface KnownRetirement {
  readonly id: string;
  /** `YYYY-MM-DD`, UTC: from this day Groq answers 400 model_decommissioned. */
  readonly retiredOn: string;
  readonly successor?: string;
  readonly source: string;
}

/**
 * Groq's deprecations page as stored (console.groq.com/docs/deprecations.md, read 2026-11-30):
 * its "Deprecation History" tables give each shutdown date and recommended replacement.
 */
const GROQ_PAGE = 'console.groq.com/docs/deprecations (stored copy, read 2026-11-30)';

export const GROQ_RETIREMENTS: readonly KnownRetirement[] = [
  {
    id: 'llama-3.3-70b-versatile',
    retiredOn: '2026-08-16',
    // Groq recommends openai/gpt-oss-120b or qwen/qwen3.6-27b; the latter is itself retired
    // on 2026-09-14 (for qwen/qwen3.8-27b), so the gateway takes the first.
    successor: 'openai/gpt-oss-120b',
    source: `${GROQ_PAGE}, "August 16, 2026"`,
  },
  {
    id: 'llama-3.1-8b-instant',
    retiredOn: '2026-08-16',
    successor: 'openai/gpt-oss-20b',
    source: `${GROQ_PAGE}, "August 16, 2026"`,
  },
  {
    id: 'mixtral-8x7b-32768',
    retiredOn: '2025-03-20',
    // Groq recommends mistral-saba-24b or llama-3.3-70b-versatile; both are retired since.
    successor: 'llama-3.3-70b-versatile',
    source: `${GROQ_PAGE}, "March 20, 2025"`,
  },
  {
    id: 'llama3-70b-8192',
    retiredOn: '2025-08-30',
    successor: 'llama-3.3-70b-versatile',
    source: `${GROQ_PAGE}, "August 30, 2025"`,
  },
  {
    id: 'llama3-8b-8192',
    retiredOn: '2025-08-30',
    successor: 'llama-3.1-8b-instant',
    source: `${GROQ_PAGE}, "August 30, 2025"`,
  },
  {
    id: 'gemma2-9b-it',
    retiredOn: '2025-10-08',
    successor: 'llama-3.1-8b-instant',
    source: `${GROQ_PAGE}, "October 8, 2025"`,
  },
  {
    id: 'gemma-7b-it',
    retiredOn: '2024-12-18',
    successor: 'gemma2-9b-it',
    source: `${GROQ_PAGE}, "December 18, 2024"`,
  },
  {
    id: 'llama2-70b-4096',
    // Not on Groq's page (its history begins in October 2024); the date is unverified, and
    // the id has been retired since before any date the page lists either way.
    retiredOn: '2024-03-05',
    successor: 'llama3-70b-8192',
    source:
      'unverified: not listed on console.groq.com/docs/deprecations (its history starts in October 2024); the date this table first shipped with',
  },
];

/** Where Groq lists its retirements, for the `Link: rel="deprecation"` header (RFC 9745). */
export const GROQ_DEPRECATIONS_URL = 'https://console.groq.com/docs/deprecations';
