import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TtlCache } from '../../../functions/adapters/aws/ttl-cache';

describe('TtlCache', () => {
  it('returns a copy of a value until its time to live has passed, then forgets it', () => {
    let now = 1_000;
    const cache = new TtlCache({ ttlMs: 100, now: () => now });
    cache.set('k', { onHand: 5 });
    const hit = cache.get<{ onHand: number }>('k');
    assert.deepEqual(hit, { onHand: 5 });
    (hit as { onHand: number }).onHand = 99;
    assert.deepEqual(cache.get('k'), { onHand: 5 });
    now = 1_100;
    assert.equal(cache.get('k'), undefined);
  });

  it('never remembers undefined, and remembers nothing when the time to live is 0', async () => {
    let loads = 0;
    const cache = new TtlCache({ ttlMs: 1_000 });
    const miss = (): Promise<string | undefined> => {
      loads += 1;
      return Promise.resolve(undefined);
    };
    assert.equal(await cache.getOrLoad('miss', miss), undefined);
    assert.equal(await cache.getOrLoad('miss', miss), undefined);
    assert.equal(loads, 2);
    const disabled = new TtlCache({ ttlMs: 0 });
    disabled.set('k', 'v');
    assert.equal(disabled.get('k'), undefined);
  });

  it('loads a value once and serves it from the cache afterwards', async () => {
    let loads = 0;
    const cache = new TtlCache({ ttlMs: 1_000 });
    const load = (): Promise<string> => Promise.resolve(`v${(loads += 1)}`);
    assert.equal(await cache.getOrLoad('k', load), 'v1');
    assert.equal(await cache.getOrLoad('k', load), 'v1');
    assert.equal(loads, 1);
  });

  it('empties itself when it holds maxEntries values, and on clear', () => {
    const cache = new TtlCache({ ttlMs: 1_000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('c'), 3);
    cache.clear();
    assert.equal(cache.get('c'), undefined);
  });
});
