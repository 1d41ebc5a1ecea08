import { BodyAbandonReason, PendingBodies, PendingBody } from './pending-bodies';

const body = (abandon: (reason: BodyAbandonReason) => unknown): PendingBody => ({
  abandon: (reason) => void abandon(reason),
});

describe('PendingBodies', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 0));

  it('abandons a body past its deadline at the next sweep, and not before', () => {
    const bodies = new PendingBodies(1000, 10, 250, clock);
    const reasons: BodyAbandonReason[] = [];
    bodies.add(body((reason) => reasons.push(reason)));
    now = 999;
    bodies.sweep();
    expect(reasons).toEqual([]);
    now = 1000;
    bodies.sweep();
    expect(reasons).toEqual(['timeout']);
    expect(bodies.size).toBe(0);
  });

  it('a body that ended is never abandoned', () => {
    const bodies = new PendingBodies(1000, 10, 250, clock);
    const abandon = jest.fn();
    const ended = body(abandon);
    bodies.add(ended);
    bodies.remove(ended);
    now = 5000;
    bodies.sweep();
    expect(abandon).not.toHaveBeenCalled();
  });

  it('at the cap, the oldest makes room for the newest', () => {
    const bodies = new PendingBodies(1000, 2, 250, clock);
    const abandoned: string[] = [];
    bodies.add(body(() => abandoned.push('first')));
    bodies.add(body(() => abandoned.push('second')));
    bodies.add(body(() => abandoned.push('third')));
    expect(abandoned).toEqual(['first']);
    expect(bodies.size).toBe(2);
  });

  it('abandons them all at shutdown', () => {
    const bodies = new PendingBodies(1000, 10, 250, clock);
    const reasons: BodyAbandonReason[] = [];
    bodies.add(body((r) => reasons.push(r)));
    bodies.add(body((r) => reasons.push(r)));
    bodies.abandonAll('shutting_down');
    expect(reasons).toEqual(['shutting_down', 'shutting_down']);
    expect(bodies.size).toBe(0);
  });
});
