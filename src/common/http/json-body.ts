import { isUtf8 } from 'node:buffer';

/** How deep a request body may nest. Chat bodies need about 8; JSON schemas in tools a few more. */
export const MAX_JSON_DEPTH = 64;

export type JsonBodyResult = { ok: true; value: unknown } | { ok: false; problem: string };

/**
 * Parses a request body as the gateway accepts it: valid UTF-8 (a leading byte order mark is
 * dropped), valid JSON, at most `MAX_JSON_DEPTH` levels deep, and no `__proto__` or
 * `constructor.prototype` keys (which would poison an object when merged later). The problem, when
 * there is one, is a sentence for the client. `depthScanned`: the bytes already passed a
 * `JsonStructureScan` with this depth, so only a body whose text could hold such a key is walked.
 */
export function parseJsonBody(
  body: Buffer,
  maxDepth = MAX_JSON_DEPTH,
  depthScanned = false,
): JsonBodyResult {
  if (body.length === 0) return { ok: false, problem: 'The request body is empty.' };
  if (!isUtf8(body)) return { ok: false, problem: 'The request body is not valid UTF-8.' };
  const text = hasByteOrderMark(body) ? body.toString('utf8', 3) : body.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problem: `The request body is not valid JSON: ${(error as Error).message}.`,
    };
  }
  if (depthScanned && !mayHoldPrototypeKey(text)) return { ok: true, value };
  const problem = findStructuralProblem(value, maxDepth);
  return problem === undefined ? { ok: true, value } : { ok: false, problem };
}

function hasByteOrderMark(body: Buffer): boolean {
  return body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
}

/**
 * Whether a JSON text could hold a `__proto__` or `constructor` key: it names one, or it has a
 * `\u` escape, the only way a JSON string can spell those letters otherwise. A chat body seldom
 * does, and then the parsed value need not be walked.
 */
export function mayHoldPrototypeKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('\\u');
}

/**
 * Walks a parsed value iteratively (a recursive walk would overflow on 100,000 nested arrays,
 * as class-transformer, validation and JSON.stringify would later) and names the first thing
 * the gateway refuses.
 */
export function findStructuralProblem(
  value: unknown,
  maxDepth = MAX_JSON_DEPTH,
): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [object, number];
    if (depth > maxDepth) {
      return `The request body nests deeper than ${maxDepth} levels. Send a flatter JSON body.`;
    }
    if (Array.isArray(current)) {
      for (const child of current) {
        if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
      }
      continue;
    }
    for (const key of Object.keys(current)) {
      const child = (current as Record<string, unknown>)[key];
      if (key === '__proto__') {
        return 'The request body has a "__proto__" key, which the gateway refuses. Remove it.';
      }
      if (
        key === 'constructor' &&
        typeof child === 'object' &&
        child !== null &&
        'prototype' in child
      ) {
        return 'The request body has a "constructor.prototype" key, which the gateway refuses. Remove it.';
      }
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return undefined;
}
