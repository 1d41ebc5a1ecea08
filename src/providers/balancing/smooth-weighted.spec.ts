import { SmoothWeighted } from './smooth-weighted';

const pickMany = (weights: Record<string, number>, times: number) => {
  const picker = new SmoothWeighted<string>();
  const ids = Object.keys(weights);
  const counts: Record<string, number> = Object.fromEntries(ids.map((id) => [id, 0]));
  const order: string[] = [];
  for (let i = 0; i < times; i++) {
    const id = picker.pick(
      ids,
      (x) => x,
      (x) => weights[x],
    );
    counts[id]++;
    order.push(id);
  }
  return { counts, order };
};

describe('SmoothWeighted', () => {
  it('picks in exact proportion to the weights over a full cycle', () => {
    expect(pickMany({ a: 70, b: 30 }, 100).counts).toEqual({ a: 70, b: 30 });
    expect(pickMany({ a: 5, b: 1, c: 1 }, 7).counts).toEqual({ a: 5, b: 1, c: 1 });
  });

  it('interleaves rather than bursting (nginx: a a b a c a a for 5/1/1)', () => {
    expect(pickMany({ a: 5, b: 1, c: 1 }, 7).order).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('never picks a zero weight while another candidate has weight', () => {
    expect(pickMany({ a: 1, b: 0 }, 10).counts).toEqual({ a: 10, b: 0 });
  });
});
