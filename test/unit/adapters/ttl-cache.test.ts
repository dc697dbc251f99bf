import { describe, expect, it } from '@jest/globals';
import { TtlCache } from '../../../functions/adapters/aws/ttl-cache';

describe('TtlCache', () => {
  it('returns a copy of a value until its time to live has passed, then forgets it', () => {
    let now = 1_000;
    const cache = new TtlCache({ ttlMs: 100, now: () => now });
    cache.set('k', { onHand: 5 });
    const hit = cache.get<{ onHand: number }>('k');
    expect(hit).toStrictEqual({ onHand: 5 });
    (hit as { onHand: number }).onHand = 99;
    expect(cache.get('k')).toStrictEqual({ onHand: 5 });
    now = 1_100;
    expect(cache.get('k')).toBe(undefined);
  });

  it('never remembers undefined, and remembers nothing when the time to live is 0', async () => {
    let loads = 0;
    const cache = new TtlCache({ ttlMs: 1_000 });
    const miss = (): Promise<string | undefined> => {
      loads += 1;
      return Promise.resolve(undefined);
    };
    expect(await cache.getOrLoad('miss', miss)).toBe(undefined);
    expect(await cache.getOrLoad('miss', miss)).toBe(undefined);
    expect(loads).toBe(2);
    const disabled = new TtlCache({ ttlMs: 0 });
    disabled.set('k', 'v');
    expect(disabled.get('k')).toBe(undefined);
  });

  it('loads a value once and serves it from the cache afterwards', async () => {
    let loads = 0;
    const cache = new TtlCache({ ttlMs: 1_000 });
    const load = (): Promise<string> => Promise.resolve(`v${(loads += 1)}`);
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(await cache.getOrLoad('k', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('empties itself when it holds maxEntries values, and on clear', () => {
    const cache = new TtlCache({ ttlMs: 1_000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(undefined);
    expect(cache.get('c')).toBe(3);
    cache.clear();
    expect(cache.get('c')).toBe(undefined);
  });
});
