import { sha256Hex } from '../config/load-governance-config';
import {
  digestsEqual,
  generateVirtualKey,
  keyHint,
  presentedKey,
  secretMatches,
} from './virtual-key';

describe('virtual keys', () => {
  it('are long random strings with a recognisable prefix, and hints give little away', () => {
    const key = generateVirtualKey();
    expect(key).toMatch(/^gvk-[\w-]{43}$/);
    expect(generateVirtualKey()).not.toBe(key);
    expect(keyHint(key)).toBe(`${key.slice(0, 8)}...`);
  });

  it('are read from Authorization: Bearer, else x-api-key', () => {
    expect(presentedKey({ authorization: 'Bearer abc' })).toBe('abc');
    expect(presentedKey({ authorization: 'bearer  abc ' })).toBe('abc');
    expect(presentedKey({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(presentedKey({ authorization: 'Basic abc' })).toBeUndefined();
    expect(presentedKey({})).toBeUndefined();
  });

  it('match only their own digest', () => {
    const digest = sha256Hex('secret');
    expect(secretMatches('secret', digest)).toBe(true);
    expect(secretMatches('Secret', digest)).toBe(false);
    expect(digestsEqual(digest, 'abcd')).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});
