import { GatewayError } from '../../common/errors/gateway-error';
import { KeyPool } from './key-pool';

const key = (id: string, weight = 1, models: string[] = []) => ({
  id,
  key: `gsk_${id}`,
  weight,
  models,
});

describe('KeyPool', () => {
  it('spreads requests by weight, evenly interleaved', () => {
    const pool = new KeyPool([key('a', 3), key('b', 1)]);
    const picks = Array.from({ length: 8 }, () => pool.pick('m').id);
    expect(picks.filter((id) => id === 'a')).toHaveLength(6);
    expect(picks.slice(0, 4).filter((id) => id === 'b')).toHaveLength(1);
  });

  it('only picks keys whose model list admits the model', () => {
    const pool = new KeyPool([
      key('big', 1, ['llama-3.3-70b-versatile']),
      key('small', 1, ['llama-3.1-8b-instant']),
    ]);
    expect(pool.pick('llama-3.1-8b-instant').id).toBe('small');
    expect(pool.pick('llama-3.3-70b-versatile').id).toBe('big');
  });

  it('refuses with 403 when no key may serve the model', () => {
    const pool = new KeyPool([key('small', 1, ['llama-3.1-8b-instant'])]);
    expect(() => pool.pick('openai/gpt-oss-120b')).toThrow(GatewayError);
  });
});
