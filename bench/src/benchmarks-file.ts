import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * BENCHMARKS.md is written whole by `npm run bench` (and combine.js); benches run on their own
 * (`bench:reservation`) keep their section in it between markers, which those rewrites carry over.
 */
const SECTION = /<!-- section:([\w-]+) -->[\s\S]*?<!-- \/section:\1 -->\n?/g;

function marked(name: string, markdown: string): string {
  return `<!-- section:${name} -->\n${markdown.trimEnd()}\n<!-- /section:${name} -->\n`;
}

/** Writes `markdown` as the whole file, keeping the marked sections the old file had. */
export function writeBenchmarks(path: string, markdown: string): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const kept = [...old.matchAll(SECTION)].map((match) => match[0]);
  writeFileSync(path, [markdown.trimEnd(), ...kept].join('\n\n') + '\n');
}

/** Puts one marked section into the file: in place of its previous version, else at the end. */
export function writeBenchmarksSection(path: string, name: string, markdown: string): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const block = marked(name, markdown);
  const pattern = new RegExp(`<!-- section:${name} -->[\\s\\S]*?<!-- \\/section:${name} -->\\n?`);
  writeFileSync(
    path,
    pattern.test(old) ? old.replace(pattern, () => block) : `${old.trimEnd()}\n\n${block}`,
  );
}
