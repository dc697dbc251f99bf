import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { ARCHIVE_PATTERN, RULES } from '../../../contracts/routing';
import { compilePattern, InvalidEventPatternError, matchesPattern } from '../../../local/event-pattern';

const repoRoot = path.resolve(import.meta.dirname, '../../..');
const vectorsDir = path.resolve(repoRoot, '../shared/fixtures/eventbridge-patterns');

const envelope = (source: string, detailType: string, detail: Record<string, unknown>): Record<string, unknown> => ({
  version: '0',
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2026-11-26T10:00:00Z',
  region: 'local',
  resources: [],
  detail,
});

describe('EventBridge pattern vectors (shared fixtures, validated against AWS)', () => {
  if (!existsSync(vectorsDir)) {
    // CI checks out the shared fixtures beside the repository; elsewhere only our own cases run.
    it('notes that the shared vectors are absent', () => {
      console.log(`note: ${vectorsDir} not found; only the project's own pattern cases run`);
      assert.equal(existsSync(vectorsDir), false);
    });
    return;
  }
  const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.json5')).sort();

  it('finds the vector files', () => {
    assert.ok(files.length >= 70, `expected the published vectors, found ${files.length}`);
  });

  for (const file of files) {
    const name = file.replace(/\.json5$/, '');
    const vector = JSON5.parse(readFileSync(path.join(vectorsDir, file), 'utf8')) as { Event: object; EventPattern: unknown };
    if (name.endsWith('_EXC')) {
      it(`${name}: refuses the pattern`, () => {
        assert.throws(() => compilePattern(vector.EventPattern), InvalidEventPatternError);
      });
    } else if (name.endsWith('_NEG')) {
      it(`${name}: does not match`, () => {
        assert.equal(compilePattern(vector.EventPattern)(vector.Event), false);
      });
    } else {
      it(`${name}: matches`, () => {
        assert.equal(compilePattern(vector.EventPattern)(vector.Event), true);
      });
    }
  }
});

describe('routing table patterns', () => {
  const usageRule = RULES.find((r) => r.name === 'usage-to-replenishment');
  const costRule = RULES.find((r) => r.name === 'cost-postings-to-finance');

  it('compiles every rule pattern and the archive pattern', () => {
    for (const rule of RULES) {
      assert.equal(typeof compilePattern(rule.eventPattern), 'function', rule.name);
    }
    assert.equal(typeof compilePattern(ARCHIVE_PATTERN), 'function');
  });

  it('routes SupplyUsageRecorded from hem.usage to the usage workflow only', () => {
    const event = envelope('hem.usage', 'SupplyUsageRecorded', { version: '1' });
    assert.equal(matchesPattern(usageRule?.eventPattern, event), true);
    assert.equal(matchesPattern(costRule?.eventPattern, event), false);
  });

  it('routes CostPosted from hem.finance to the finance queue only', () => {
    const event = envelope('hem.finance', 'CostPosted', { version: '1', amount: -4.5 });
    assert.equal(matchesPattern(costRule?.eventPattern, event), true);
    assert.equal(matchesPattern(usageRule?.eventPattern, event), false);
  });

  it('does not route a usage event with the wrong source', () => {
    assert.equal(matchesPattern(usageRule?.eventPattern, envelope('hem.inventory', 'SupplyUsageRecorded', {})), false);
  });

  it('does not route on a case-different detail-type', () => {
    assert.equal(matchesPattern(usageRule?.eventPattern, envelope('hem.usage', 'supplyusagerecorded', {})), false);
  });

  it('archives every hem.* event and nothing else', () => {
    assert.equal(matchesPattern(ARCHIVE_PATTERN, envelope('hem.inventory', 'ReplenishmentRequested', {})), true);
    assert.equal(matchesPattern(ARCHIVE_PATTERN, envelope('aws.events', 'Scheduled Event', {})), false);
    assert.equal(matchesPattern(ARCHIVE_PATTERN, envelope('hemx.usage', 'X', {})), false);
  });
});

describe('compilePattern: matching', () => {
  const m = (pattern: unknown, event: object): boolean => compilePattern(pattern)(event);

  it('matches any element of an event array', () => {
    assert.equal(m({ detail: { tags: ['OR'] } }, { detail: { tags: ['ED', 'OR'] } }), true);
    assert.equal(m({ detail: { tags: ['ICU'] } }, { detail: { tags: ['ED', 'OR'] } }), false);
  });

  it('requires nested fields to come from the same array element', () => {
    const event = { detail: { lines: [{ itemId: 'ITM-10001', qty: 1 }, { itemId: 'ITM-10002', qty: 5 }] } };
    assert.equal(m({ detail: { lines: { itemId: ['ITM-10002'], qty: [5] } } }, event), true);
    assert.equal(m({ detail: { lines: { itemId: ['ITM-10001'], qty: [5] } } }, event), false);
  });

  it('treats numbers by value across int and float, never as strings', () => {
    assert.equal(m({ detail: { q: [300] } }, { detail: { q: 3.0e2 } }), true);
    assert.equal(m({ detail: { q: [{ numeric: ['=', 300] }] } }, { detail: { q: 300.0 } }), true);
    assert.equal(m({ detail: { q: [300] } }, { detail: { q: '300' } }), false);
    assert.equal(m({ detail: { q: ['300'] } }, { detail: { q: 300 } }), false);
    assert.equal(m({ detail: { q: [1] } }, { detail: { q: true } }), false);
  });

  it('matches null only against null, not against a missing field', () => {
    assert.equal(m({ detail: { x: [null] } }, { detail: { x: null } }), true);
    assert.equal(m({ detail: { x: [null] } }, { detail: {} }), false);
  });

  it('evaluates numeric ranges with both bounds', () => {
    const pattern = { detail: { onHand: [{ numeric: ['>=', 0, '<', 40] }] } };
    assert.equal(m(pattern, { detail: { onHand: 0 } }), true);
    assert.equal(m(pattern, { detail: { onHand: 39.5 } }), true);
    assert.equal(m(pattern, { detail: { onHand: 40 } }), false);
    assert.equal(m(pattern, { detail: { onHand: -1 } }), false);
  });

  it('treats exists: true as "has a leaf value" (null counts, objects and empty arrays do not)', () => {
    const pattern = { detail: { x: [{ exists: true }] } };
    assert.equal(m(pattern, { detail: { x: null } }), true);
    assert.equal(m(pattern, { detail: { x: { y: 1 } } }), false);
    assert.equal(m(pattern, { detail: { x: [] } }), false);
    assert.equal(m({ detail: { x: [{ exists: false }] } }, { detail: { x: [] } }), true);
    assert.equal(m({ detail: { x: [{ exists: false }] } }, { detail: 'not an object' }), true);
  });

  it('matches anything-but on present values only, including null', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped'] }] } };
    assert.equal(m(pattern, { detail: { state: 'running' } }), true);
    assert.equal(m(pattern, { detail: { state: null } }), true);
    assert.equal(m(pattern, { detail: { state: 'stopped' } }), false);
    assert.equal(m(pattern, { detail: {} }), false);
  });

  it('supports anything-but with equals-ignore-case, prefix, suffix and wildcard', () => {
    assert.equal(m({ a: [{ 'anything-but': { 'equals-ignore-case': 'X' } }] }, { a: 'x' }), false);
    assert.equal(m({ a: [{ 'anything-but': { prefix: 'CHG-' } }] }, { a: 'CHG-100001' }), false);
    assert.equal(m({ a: [{ 'anything-but': { suffix: '-OR' } }] }, { a: 'NMC-ED' }), true);
    assert.equal(m({ a: [{ 'anything-but': { wildcard: 'NMC-*' } }] }, { a: 'SCH-OR' }), true);
    assert.equal(m({ a: [{ 'anything-but': { wildcard: ['NMC-*', 'SCH-*'] } }] }, { a: 'SCH-OR' }), false);
  });

  it('matches prefix and suffix case-sensitively unless equals-ignore-case is nested', () => {
    assert.equal(m({ a: [{ prefix: 'nmc' }] }, { a: 'NMC-OR' }), false);
    assert.equal(m({ a: [{ prefix: { 'equals-ignore-case': 'nmc' } }] }, { a: 'NMC-OR' }), true);
    assert.equal(m({ a: [{ suffix: { 'equals-ignore-case': '-or' } }] }, { a: 'NMC-OR' }), true);
    assert.equal(m({ a: [{ prefix: 'NMC' }] }, { a: 42 }), false);
  });

  it('treats an empty prefix as "any string value"', () => {
    assert.equal(m({ a: [{ prefix: '' }] }, { a: '' }), true);
    assert.equal(m({ a: [{ prefix: '' }] }, { a: 0 }), false);
  });

  it('matches wildcards that span separators, with escapes for a literal star', () => {
    assert.equal(m({ a: [{ wildcard: 'arn:aws:states:*:stateMachine:*' }] }, { a: 'arn:aws:states:local:000000000000:stateMachine:x' }), true);
    assert.equal(m({ a: [{ wildcard: 'ITM-*' }] }, { a: 'ITM-' }), true);
    assert.equal(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' }), true);
    assert.equal(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axb' }), false);
    assert.equal(m({ a: [{ wildcard: '*.txt' }] }, { a: 'notes.txt.bak' }), false);
  });

  it('matches IPv4 and IPv6 cidr blocks, and nothing of the other family', () => {
    assert.equal(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' }), true);
    assert.equal(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' }), false);
    assert.equal(m({ ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.9' }), true);
    assert.equal(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:ffff::1' }), true);
    assert.equal(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' }), false);
    assert.equal(m({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'not-an-ip' }), false);
  });

  it('ORs the alternatives of one field and ANDs fields', () => {
    const pattern = { source: ['hem.usage', 'hem.inventory'], detail: { locationId: [{ prefix: 'NMC-' }, 'SCH-OR'] } };
    assert.equal(m(pattern, { source: 'hem.inventory', detail: { locationId: 'SCH-OR' } }), true);
    assert.equal(m(pattern, { source: 'hem.finance', detail: { locationId: 'SCH-OR' } }), false);
    assert.equal(m(pattern, { source: 'hem.usage', detail: { locationId: 'SCH-ICU' } }), false);
  });

  it('expands $or at any level', () => {
    const pattern = {
      source: ['hem.inventory'],
      detail: { $or: [{ onHand: [{ numeric: ['<=', 0] }] }, { reason: ['ADJUSTMENT'] }] },
    };
    assert.equal(m(pattern, { source: 'hem.inventory', detail: { onHand: 0, reason: 'USAGE' } }), true);
    assert.equal(m(pattern, { source: 'hem.inventory', detail: { onHand: 5, reason: 'ADJUSTMENT' } }), true);
    assert.equal(m(pattern, { source: 'hem.inventory', detail: { onHand: 5, reason: 'USAGE' } }), false);
  });

  it('keeps the last write when a $or branch constrains a field written before it', () => {
    const pattern = { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] };
    assert.equal(m(pattern, { a: '2' }), true);
    assert.equal(m(pattern, { a: '1', b: '3' }), true);
    assert.equal(m(pattern, { a: '1' }), false);
  });

  it('lets a replay-name exists:false rule ignore replayed events', () => {
    const pattern = { source: ['hem.usage'], 'replay-name': [{ exists: false }] };
    assert.equal(m(pattern, { source: 'hem.usage' }), true);
    assert.equal(m(pattern, { source: 'hem.usage', 'replay-name': 'replay-1' }), false);
  });

  it('caches compiled patterns per pattern object in matchesPattern', () => {
    const pattern = { source: ['hem.usage'] };
    assert.equal(matchesPattern(pattern, { source: 'hem.usage' }), true);
    assert.equal(matchesPattern(pattern, { source: 'hem.finance' }), false);
  });

  it('does not match a non-object event', () => {
    assert.equal(compilePattern({ a: ['x'] })(['x'] as unknown as object), false);
  });
});

describe('compilePattern: validation', () => {
  const invalid: [string, unknown][] = [
    ['a non-object pattern', ['x']],
    ['an empty pattern', {}],
    ['an empty nested object', { detail: {} }],
    ['an empty array', { source: [] }],
    ['a bare value', { source: 'hem.usage' }],
    ['a nested array value', { source: [['hem.usage']] }],
    ['an unknown operator', { a: [{ regex: '.*' }] }],
    ['two operators in one expression', { a: [{ prefix: 'a', suffix: 'b' }] }],
    ['exists with a non-boolean', { a: [{ exists: 'yes' }] }],
    ['a numeric upper bound first with a second term', { a: [{ numeric: ['<', 5, '>', 1] }] }],
    ['an inverted numeric range', { a: [{ numeric: ['>', 5, '<', 1] }] }],
    ['a numeric threshold that is a string', { a: [{ numeric: ['>', '5'] }] }],
    ['mixed anything-but list', { a: [{ 'anything-but': ['x', 1] }] }],
    ['an empty anything-but list', { a: [{ 'anything-but': [] }] }],
    ['anything-but boolean', { a: [{ 'anything-but': true }] }],
    ['anything-but numeric', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }],
    ['a bad wildcard escape', { a: [{ wildcard: 'a\\b' }] }],
    ['consecutive wildcards', { a: [{ wildcard: 'a**' }] }],
    ['a cidr without a mask', { ip: [{ cidr: '10.0.0.1' }] }],
    ['a cidr with a negative mask', { ip: [{ cidr: '10.0.0.0/-1' }] }],
    ['an IPv4 mask of 32', { ip: [{ cidr: '10.0.0.1/32' }] }],
    ['a single-member $or', { $or: [{ a: ['x'] }] }],
    ['a $or member that is not an object', { $or: [{ a: ['x'] }, 'b'] }],
    ['an operator name used as a field inside $or', { $or: [{ prefix: ['x'] }, { b: ['y'] }] }],
  ];
  for (const [what, pattern] of invalid) {
    it(`refuses ${what}`, () => {
      assert.throws(() => compilePattern(pattern), (e: unknown) => {
        assert.ok(e instanceof InvalidEventPatternError);
        assert.match(e.message, /^Event pattern is not valid\. Reason: /);
        return true;
      });
    });
  }

  it('refuses more than 1000 $or combinations', () => {
    const branch = (n: number): unknown => ({ $or: Array.from({ length: 11 }, (_, i) => ({ [`f${n}_${i}`]: ['x'] })) });
    assert.throws(() => compilePattern({ a: branch(1), b: branch(2), c: branch(3) }), /more than 1000 rule combinations/);
  });

  it('accepts the documented operators together', () => {
    const pattern = {
      source: [{ prefix: 'hem.' }],
      'detail-type': [{ 'equals-ignore-case': 'costposted' }],
      detail: {
        amount: [{ numeric: ['>', 0, '<=', 5000] }],
        costCenter: [{ 'anything-but': { prefix: 'CC-TEST' } }],
        postingDate: [{ wildcard: '2026-*' }],
        encounterRef: [{ exists: false }],
      },
    };
    const matcher = compilePattern(pattern);
    assert.equal(
      matcher({
        source: 'hem.finance',
        'detail-type': 'CostPosted',
        detail: { amount: 4.5, costCenter: 'CC-NMC-OR', postingDate: '2026-11-26' },
      }),
      true,
    );
  });
});
