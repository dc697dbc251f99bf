import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { ARCHIVE_PATTERN, RULES } from '../../../contracts/routing';
import { compilePattern, InvalidEventPatternError, matchesPattern } from '../../../local/event-pattern';
import { expectInstanceOf } from '../../support/expect-narrowing';

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
      expect(existsSync(vectorsDir)).toBe(false);
    });
    return;
  }
  const files = readdirSync(vectorsDir).filter((f) => f.endsWith('.json5')).sort();

  it('finds the vector files', () => {
    expect(files.length >= 70).toBeTruthy();
  });

  for (const file of files) {
    const name = file.replace(/\.json5$/, '');
    const vector = JSON5.parse(readFileSync(path.join(vectorsDir, file), 'utf8')) as { Event: object; EventPattern: unknown };
    if (name.endsWith('_EXC')) {
      it(`${name}: refuses the pattern`, () => {
        expect(() => compilePattern(vector.EventPattern)).toThrow(InvalidEventPatternError);
      });
    } else if (name.endsWith('_NEG')) {
      it(`${name}: does not match`, () => {
        expect(compilePattern(vector.EventPattern)(vector.Event)).toBe(false);
      });
    } else {
      it(`${name}: matches`, () => {
        expect(compilePattern(vector.EventPattern)(vector.Event)).toBe(true);
      });
    }
  }
});

describe('routing table patterns', () => {
  const usageRule = RULES.find((r) => r.name === 'usage-to-replenishment');
  const costRule = RULES.find((r) => r.name === 'cost-postings-to-finance');

  it('compiles every rule pattern and the archive pattern', () => {
    for (const rule of RULES) {
      expect(typeof compilePattern(rule.eventPattern)).toBe('function');
    }
    expect(typeof compilePattern(ARCHIVE_PATTERN)).toBe('function');
  });

  it('routes SupplyUsageRecorded from hem.usage to the usage workflow only', () => {
    const event = envelope('hem.usage', 'SupplyUsageRecorded', { version: '1' });
    expect(matchesPattern(usageRule?.eventPattern, event)).toBe(true);
    expect(matchesPattern(costRule?.eventPattern, event)).toBe(false);
  });

  it('routes CostPosted from hem.finance to the finance queue only', () => {
    const event = envelope('hem.finance', 'CostPosted', { version: '1', amount: -4.5 });
    expect(matchesPattern(costRule?.eventPattern, event)).toBe(true);
    expect(matchesPattern(usageRule?.eventPattern, event)).toBe(false);
  });

  it('does not route a usage event with the wrong source', () => {
    expect(matchesPattern(usageRule?.eventPattern, envelope('hem.inventory', 'SupplyUsageRecorded', {}))).toBe(false);
  });

  it('does not route on a case-different detail-type', () => {
    expect(matchesPattern(usageRule?.eventPattern, envelope('hem.usage', 'supplyusagerecorded', {}))).toBe(false);
  });

  it('archives every hem.* event and nothing else', () => {
    expect(matchesPattern(ARCHIVE_PATTERN, envelope('hem.inventory', 'ReplenishmentRequested', {}))).toBe(true);
    expect(matchesPattern(ARCHIVE_PATTERN, envelope('aws.events', 'Scheduled Event', {}))).toBe(false);
    expect(matchesPattern(ARCHIVE_PATTERN, envelope('hemx.usage', 'X', {}))).toBe(false);
  });
});

describe('compilePattern: matching', () => {
  const m = (pattern: unknown, event: object): boolean => compilePattern(pattern)(event);

  it('matches any element of an event array', () => {
    expect(m({ detail: { tags: ['OR'] } }, { detail: { tags: ['ED', 'OR'] } })).toBe(true);
    expect(m({ detail: { tags: ['ICU'] } }, { detail: { tags: ['ED', 'OR'] } })).toBe(false);
  });

  it('requires nested fields to come from the same array element', () => {
    const event = { detail: { lines: [{ itemId: 'ITM-10001', qty: 1 }, { itemId: 'ITM-10002', qty: 5 }] } };
    expect(m({ detail: { lines: { itemId: ['ITM-10002'], qty: [5] } } }, event)).toBe(true);
    expect(m({ detail: { lines: { itemId: ['ITM-10001'], qty: [5] } } }, event)).toBe(false);
  });

  it('treats numbers by value across int and float, never as strings', () => {
    expect(m({ detail: { q: [300] } }, { detail: { q: 3.0e2 } })).toBe(true);
    expect(m({ detail: { q: [{ numeric: ['=', 300] }] } }, { detail: { q: 300.0 } })).toBe(true);
    expect(m({ detail: { q: [300] } }, { detail: { q: '300' } })).toBe(false);
    expect(m({ detail: { q: ['300'] } }, { detail: { q: 300 } })).toBe(false);
    expect(m({ detail: { q: [1] } }, { detail: { q: true } })).toBe(false);
  });

  it('matches null only against null, not against a missing field', () => {
    expect(m({ detail: { x: [null] } }, { detail: { x: null } })).toBe(true);
    expect(m({ detail: { x: [null] } }, { detail: {} })).toBe(false);
  });

  it('evaluates numeric ranges with both bounds', () => {
    const pattern = { detail: { onHand: [{ numeric: ['>=', 0, '<', 40] }] } };
    expect(m(pattern, { detail: { onHand: 0 } })).toBe(true);
    expect(m(pattern, { detail: { onHand: 39.5 } })).toBe(true);
    expect(m(pattern, { detail: { onHand: 40 } })).toBe(false);
    expect(m(pattern, { detail: { onHand: -1 } })).toBe(false);
  });

  it('treats exists: true as "has a leaf value" (null counts, objects and empty arrays do not)', () => {
    const pattern = { detail: { x: [{ exists: true }] } };
    expect(m(pattern, { detail: { x: null } })).toBe(true);
    expect(m(pattern, { detail: { x: { y: 1 } } })).toBe(false);
    expect(m(pattern, { detail: { x: [] } })).toBe(false);
    expect(m({ detail: { x: [{ exists: false }] } }, { detail: { x: [] } })).toBe(true);
    expect(m({ detail: { x: [{ exists: false }] } }, { detail: 'not an object' })).toBe(true);
  });

  it('matches anything-but on present values only, including null', () => {
    const pattern = { detail: { state: [{ 'anything-but': ['stopped'] }] } };
    expect(m(pattern, { detail: { state: 'running' } })).toBe(true);
    expect(m(pattern, { detail: { state: null } })).toBe(true);
    expect(m(pattern, { detail: { state: 'stopped' } })).toBe(false);
    expect(m(pattern, { detail: {} })).toBe(false);
  });

  it('supports anything-but with equals-ignore-case, prefix, suffix and wildcard', () => {
    expect(m({ a: [{ 'anything-but': { 'equals-ignore-case': 'X' } }] }, { a: 'x' })).toBe(false);
    expect(m({ a: [{ 'anything-but': { prefix: 'CHG-' } }] }, { a: 'CHG-100001' })).toBe(false);
    expect(m({ a: [{ 'anything-but': { suffix: '-OR' } }] }, { a: 'NMC-ED' })).toBe(true);
    expect(m({ a: [{ 'anything-but': { wildcard: 'NMC-*' } }] }, { a: 'SCH-OR' })).toBe(true);
    expect(m({ a: [{ 'anything-but': { wildcard: ['NMC-*', 'SCH-*'] } }] }, { a: 'SCH-OR' })).toBe(false);
  });

  it('matches prefix and suffix case-sensitively unless equals-ignore-case is nested', () => {
    expect(m({ a: [{ prefix: 'nmc' }] }, { a: 'NMC-OR' })).toBe(false);
    expect(m({ a: [{ prefix: { 'equals-ignore-case': 'nmc' } }] }, { a: 'NMC-OR' })).toBe(true);
    expect(m({ a: [{ suffix: { 'equals-ignore-case': '-or' } }] }, { a: 'NMC-OR' })).toBe(true);
    expect(m({ a: [{ prefix: 'NMC' }] }, { a: 42 })).toBe(false);
  });

  it('treats an empty prefix as "any string value"', () => {
    expect(m({ a: [{ prefix: '' }] }, { a: '' })).toBe(true);
    expect(m({ a: [{ prefix: '' }] }, { a: 0 })).toBe(false);
  });

  it('matches wildcards that span separators, with escapes for a literal star', () => {
    expect(m({ a: [{ wildcard: 'arn:aws:states:*:stateMachine:*' }] }, { a: 'arn:aws:states:local:000000000000:stateMachine:x' })).toBe(true);
    expect(m({ a: [{ wildcard: 'ITM-*' }] }, { a: 'ITM-' })).toBe(true);
    expect(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'a*b' })).toBe(true);
    expect(m({ a: [{ wildcard: 'a\\*b' }] }, { a: 'axb' })).toBe(false);
    expect(m({ a: [{ wildcard: '*.txt' }] }, { a: 'notes.txt.bak' })).toBe(false);
  });

  it('matches IPv4 and IPv6 cidr blocks, and nothing of the other family', () => {
    expect(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.255' })).toBe(true);
    expect(m({ ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.1.0' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.9' })).toBe(true);
    expect(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:ffff::1' })).toBe(true);
    expect(m({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' })).toBe(false);
    expect(m({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'not-an-ip' })).toBe(false);
  });

  it('ORs the alternatives of one field and ANDs fields', () => {
    const pattern = { source: ['hem.usage', 'hem.inventory'], detail: { locationId: [{ prefix: 'NMC-' }, 'SCH-OR'] } };
    expect(m(pattern, { source: 'hem.inventory', detail: { locationId: 'SCH-OR' } })).toBe(true);
    expect(m(pattern, { source: 'hem.finance', detail: { locationId: 'SCH-OR' } })).toBe(false);
    expect(m(pattern, { source: 'hem.usage', detail: { locationId: 'SCH-ICU' } })).toBe(false);
  });

  it('expands $or at any level', () => {
    const pattern = {
      source: ['hem.inventory'],
      detail: { $or: [{ onHand: [{ numeric: ['<=', 0] }] }, { reason: ['ADJUSTMENT'] }] },
    };
    expect(m(pattern, { source: 'hem.inventory', detail: { onHand: 0, reason: 'USAGE' } })).toBe(true);
    expect(m(pattern, { source: 'hem.inventory', detail: { onHand: 5, reason: 'ADJUSTMENT' } })).toBe(true);
    expect(m(pattern, { source: 'hem.inventory', detail: { onHand: 5, reason: 'USAGE' } })).toBe(false);
  });

  it('keeps the last write when a $or branch constrains a field written before it', () => {
    const pattern = { a: ['1'], $or: [{ a: ['2'] }, { b: ['3'] }] };
    expect(m(pattern, { a: '2' })).toBe(true);
    expect(m(pattern, { a: '1', b: '3' })).toBe(true);
    expect(m(pattern, { a: '1' })).toBe(false);
  });

  it('lets a replay-name exists:false rule ignore replayed events', () => {
    const pattern = { source: ['hem.usage'], 'replay-name': [{ exists: false }] };
    expect(m(pattern, { source: 'hem.usage' })).toBe(true);
    expect(m(pattern, { source: 'hem.usage', 'replay-name': 'replay-1' })).toBe(false);
  });

  it('caches compiled patterns per pattern object in matchesPattern', () => {
    const pattern = { source: ['hem.usage'] };
    expect(matchesPattern(pattern, { source: 'hem.usage' })).toBe(true);
    expect(matchesPattern(pattern, { source: 'hem.finance' })).toBe(false);
  });

  it('does not match a non-object event', () => {
    expect(compilePattern({ a: ['x'] })(['x'] as unknown as object)).toBe(false);
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
      expect(() => compilePattern(pattern)).toThrow(expect.toSatisfy((e: unknown) => {
        expectInstanceOf(e, InvalidEventPatternError);
        expect(e.message).toMatch(/^Event pattern is not valid\. Reason: /);
        return true;
      }));
    });
  }

  it('refuses more than 1000 $or combinations', () => {
    const branch = (n: number): unknown => ({ $or: Array.from({ length: 11 }, (_, i) => ({ [`f${n}_${i}`]: ['x'] })) });
    expect(() => compilePattern({ a: branch(1), b: branch(2), c: branch(3) })).toThrow(/more than 1000 rule combinations/);
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
    expect(matcher({
        source: 'hem.finance',
        'detail-type': 'CostPosted',
        detail: { amount: 4.5, costCenter: 'CC-NMC-OR', postingDate: '2026-11-26' },
      })).toBe(true);
  });
});
