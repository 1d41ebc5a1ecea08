import type * as Recheck from 'recheck';
import { setFlagsFromString } from 'node:v8';
import type { Finding } from './finding';

/**
 * Configured patterns, with catastrophic backtracking made impossible. Node 20 has no RE2
 * binding (`re2` needs Node 22), so each pattern is judged once, at start-up:
 * - it must run on V8's linear-time engine (the `l` flag): backreferences and look-arounds,
 *   which no linear engine can run, are refused with a line naming the policy;
 * - recheck's automaton analysis then decides which engine runs it: a pattern proven free of
 *   exponential and polynomial backtracking runs on V8's usual engine (fast); any other
 *   (`(a+)+$`, `[a-z]+@[a-z]+`, or one recheck could not settle) on the linear one. Both find
 *   the same matches; only the worst case differs.
 */
export interface CompiledPattern {
  source: string;
  regex: RegExp;
  engine: 'backtracking' | 'linear';
}

let linearEngineOn = false;

// recheck's in-process backend: no worker thread or helper process left running after start-up.
process.env.RECHECK_SYNC_BACKEND ??= 'pure';

/** V8's linear engine is behind a flag; it changes nothing for patterns without the `l` flag. */
function enableLinearEngine(): void {
  if (linearEngineOn) return;
  setFlagsFromString('--enable-experimental-regexp-engine');
  linearEngineOn = true;
}

const compiled = new Map<string, CompiledPattern>();

/** Compiles one pattern (once per process) or throws an Error whose message says why (one line). */
export function compilePattern(source: string): CompiledPattern {
  let pattern = compiled.get(source);
  if (!pattern) {
    pattern = judgeAndCompile(source);
    compiled.set(source, pattern);
  }
  return pattern;
}

function judgeAndCompile(source: string): CompiledPattern {
  enableLinearEngine();
  let linear: RegExp;
  try {
    linear = new RegExp(source, 'gl');
  } catch (error) {
    const message = (error as Error).message;
    if (/linear time/.test(message))
      throw new Error(
        `pattern '${source}' cannot run in linear time (backreferences and look-arounds are not allowed)`,
      );
    throw new Error(`pattern '${source}' is not a valid regular expression: ${message}`);
  }
  // Loaded here, not at start-up: recheck is large, and only regex policies need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { checkSync } = require('recheck') as typeof Recheck;
  const verdict = checkSync(source, '', { timeout: 2_000 });
  if (verdict.status === 'safe') {
    return { source, regex: new RegExp(source, 'g'), engine: 'backtracking' };
  }
  return { source, regex: linear, engine: 'linear' };
}

export function findPatterns(text: string, patterns: readonly CompiledPattern[]): Finding[] {
  const findings: Finding[] = [];
  for (const { regex } of patterns) {
    regex.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = regex.exec(text)) !== null) {
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      findings.push({
        start: match.index,
        end: match.index + match[0].length,
        label: 'redacted',
        category: 'pattern',
      });
    }
  }
  return findings;
}
