import { JsonStructureScan } from './json-structure-scan';

const limits = { maxDepth: 4, maxValues: 10 };
const scan = (...chunks: string[]) => {
  const scanner = new JsonStructureScan(limits);
  for (const chunk of chunks) {
    const problem = scanner.feed(Buffer.from(chunk));
    if (problem) return problem;
  }
  return undefined;
};

describe('JsonStructureScan', () => {
  it('lets a body within the limits through', () => {
    expect(scan('{"a":[{"b":[1,2]}]}')).toBeUndefined();
  });

  it('refuses at the first bracket past the depth limit', () => {
    expect(scan('[[[[[')).toMatch(/nests deeper than 4 levels/);
    expect(scan('[[[[]]]]')).toBeUndefined();
  });

  it('ignores brackets, commas and escaped quotes inside strings', () => {
    expect(scan('{"a":"[[[[[[,,,,,,,,,,,,\\"[[[[[["}')).toBeUndefined();
  });

  it('keeps its state across chunks, even inside an escape', () => {
    expect(scan('{"a":"\\', '"[[[[[[", "b":[[', '[[[')).toMatch(/nests deeper/);
    expect(scan('{"a":"\\', '"[[[[[["}')).toBeUndefined();
  });

  it('counts values: containers and comma-separated items', () => {
    expect(scan('[1,2,3,4,5,6,7,8,9]')).toBeUndefined();
    expect(scan('[1,2,3,4,5,6,7,8,9,10,11]')).toMatch(/more than 10 JSON values/);
  });

  it('handles multi-byte UTF-8 in strings', () => {
    expect(scan('{"a":"héllo [[[[[[ 😀"}')).toBeUndefined();
  });
});
