/**
 * Guardrails microbenchmark (`npm run bench:guardrails`): PII (every entity) + keywords + one
 * regex over a 16 KB prompt, the input stage as the gateway runs it, p50/p99 in microseconds;
 * and the cost of the guardrails hook on a call with no policy (the hot path), against none.
 * Loads the built gateway (dist/), so `npm run build` first.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';

interface TextPart {
  param: string;
  text: string;
  set(text: string): void;
}
interface Runner {
  policy: { id: string };
  find?(text: string): unknown[];
}
interface StageResult {
  outcomes: Array<{ policy: string; outcome: string }>;
}

const dist = join(__dirname, '..', '..', 'dist', 'guardrails');
/* eslint-disable @typescript-eslint/no-require-imports */
const { policyRunner } = require(join(dist, 'policy-runners')) as {
  policyRunner(policy: object, transport: object): Runner;
};
const { runStage } = require(join(dist, 'policy-runner')) as {
  runStage(
    runners: Runner[],
    stage: string,
    parts: TextPart[],
    call: object,
    flagOnly?: boolean,
  ): Promise<StageResult>;
};
/* eslint-enable @typescript-eslint/no-require-imports */

const SENTENCES = [
  'The quarterly report covers revenue, churn and the hiring plan for the next two quarters.',
  'Please summarise the attached notes and list the open questions for the design review.',
  'Our customer, Jane, asked whether the invoice could be split across two cost centres.',
  'Latency on the eu-west cluster rose after the deploy at 14:05 and fell back by 14:40.',
  'Version 2.3.1 ships on Friday; the changelog lists 41 fixes and 3 breaking changes.',
];

/** About 16 KB of ordinary prose with a few things to find in it. */
function prompt(): string {
  let text = '';
  let i = 0;
  while (text.length < 16 * 1024) {
    text += `${SENTENCES[i % SENTENCES.length]} `;
    if (i === 40) text += 'Reach me at jane.doe@example.com or +44 20 7946 0958. ';
    if (i === 90) text += 'Card 4111 1111 1111 1111, ssn 123-45-6789, host 10.0.0.12. ';
    i++;
  }
  return text.slice(0, 16 * 1024);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const transport = {};
  const runners = [
    policyRunner(
      {
        id: 'pii',
        kind: 'pii',
        stage: 'input',
        action: 'redact',
        entities: ['email', 'phone', 'credit_card', 'iban', 'ssn', 'ip_address', 'secret'],
      },
      transport,
    ),
    policyRunner(
      {
        id: 'words',
        kind: 'keywords',
        stage: 'input',
        action: 'flag',
        words: [
          'project-x',
          'apollo',
          'blue harvest',
          'nightingale',
          'codename',
          'internal only',
          'confidential',
          'zebra-42',
          'orion',
          'skunkworks',
        ],
      },
      transport,
    ),
    policyRunner(
      {
        id: 'ssn-like',
        kind: 'regex',
        stage: 'input',
        action: 'flag',
        patterns: ['\\b\\d{3}-\\d{2}-\\d{4}\\b'],
      },
      transport,
    ),
  ];
  const text = prompt();
  const call = { requestId: 'bench', observe: () => undefined };
  const once = async () => {
    const part: TextPart = { param: 'messages[0].content', text, set: (t) => (part.text = t) };
    return runStage(runners, 'input', [part], call);
  };
  const check = await once();
  for (let i = 0; i < 300; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const started = performance.now();
    await once();
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);

  // The hook with no policy: a header lookup and a length check, then the call itself.
  const headers: Record<string, string | undefined> = { 'content-type': 'application/json' };
  const defaults: string[] = [];
  const send = (x: number) => x + 1;
  const hook = (x: number) =>
    defaults.length === 0 && !headers['x-gateway-guardrails'] ? send(x) : send(x) * 2;
  const loops = 5_000_000;
  let sink = 0;
  let started = performance.now();
  for (let i = 0; i < loops; i++) sink += send(i);
  const bare = ((performance.now() - started) * 1e6) / loops;
  started = performance.now();
  for (let i = 0; i < loops; i++) sink += hook(i);
  const hooked = ((performance.now() - started) * 1e6) / loops;

  process.stdout.write(
    `${JSON.stringify(
      {
        bench: 'guardrails-input-16kb',
        node: process.version,
        promptBytes: Buffer.byteLength(text),
        policies: 'pii (7 entities) + keywords (10 words) + regex (1 pattern)',
        outcomes: check.outcomes.map((o) => `${o.policy}=${o.outcome}`).join(','),
        p50Us: Number(percentile(samples, 50).toFixed(1)),
        p90Us: Number(percentile(samples, 90).toFixed(1)),
        p99Us: Number(percentile(samples, 99).toFixed(1)),
        noPolicyHookNs: Number((hooked - bare).toFixed(2)),
        sink: sink > 0,
      },
      null,
      2,
    )}\n`,
  );
}

void main();
