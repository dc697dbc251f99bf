import { describe, expect, it } from '@jest/globals';
import type { UsageRecordRequest } from '../../../contracts/usage';
import { parseUsageRecord } from '../../../functions/adapters/usage-record';
import { ValidationError } from '../../../functions/domain/errors';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { expectInstanceOf } from '../../support/expect-narrowing';
import { encounterKey, readJsonFixture, thrown } from './support';

const record = (): UsageRecordRequest => structuredClone(readJsonFixture('usage/usage-record.json') as UsageRecordRequest);
const parse = (body: unknown) => parseUsageRecord(body, { encounterKey });

const errorOf = (body: unknown): { location: string | undefined; message: string } => {
  const e = thrown(() => parse(body));
  expectInstanceOf(e, ValidationError);
  return { location: e.location, message: e.message };
};

describe('parseUsageRecord', () => {
  it('maps the canonical record: ordinals, item systems, credits, visit number → encounterRef', () => {
    expect(parse(record())).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'NMC-REC-0001',
      sourceFormat: 'JSON:UsageRecord',
      occurredAt: '2026-11-26T14:00:00.000Z',
      departmentCode: 'OR',
      encounterRef: encounterRef(encounterKey, 'NMC', 'V20261126-0042'),
      procedureCode: '44970',
      lines: [
        { lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 3, transactionType: 'CHARGE', serviceDate: '2026-11-26T14:00:00.000Z' },
        { lineNumber: 2, item: { system: 'ITEM', value: 'ITM-10002' }, quantity: 1, uom: 'EA', transactionType: 'CHARGE', serviceDate: '2026-11-26T14:00:00.000Z' },
        { lineNumber: 7, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: -1, transactionType: 'CREDIT', serviceDate: '2026-11-26T14:00:00.000Z' },
      ],
    });
  });

  it('drops the visit number: it appears nowhere in the output', () => {
    expect(JSON.stringify(parse(record())).includes('V20261126')).toBe(false);
  });

  it('maps gtin to a GTIN item and keeps a line department', () => {
    const body = record();
    body.lines = [{ gtin: '10881234500019', quantity: 2, departmentCode: 'CATH' }];
    expect(parse(body).lines[0]).toStrictEqual({
      lineNumber: 1,
      item: { system: 'GTIN', value: '10881234500019' },
      quantity: 2,
      transactionType: 'CHARGE',
      serviceDate: '2026-11-26T14:00:00.000Z',
      departmentCode: 'CATH',
    });
  });

  it('names the JSON path of schema violations', () => {
    const zero = record();
    (zero.lines[0] as { quantity: number }).quantity = 0;
    expect(errorOf(zero).location).toBe('lines[0].quantity');
    expect(errorOf(zero).message).toMatch(/^lines\[0\]\.quantity: /);

    const text = record() as unknown as { lines: Record<string, unknown>[] };
    (text.lines[1] as Record<string, unknown>)['quantity'] = 'two';
    expect(errorOf(text).location).toBe('lines[1].quantity');

    const twoIds = record();
    twoIds.lines[0] = { chargeCode: 'CHG-100001', itemId: 'ITM-10001', quantity: 1 };
    expect(errorOf(twoIds).location).toBe('lines[0]');

    const badDate = { ...record(), occurredAt: '26/11/2026' };
    expect(errorOf(badDate).location).toBe('occurredAt');

    const noLines = { ...record(), lines: [] };
    expect(errorOf(noLines).location).toBe('lines');

    const missing = record() as Partial<UsageRecordRequest>;
    delete missing.recordId;
    expect(errorOf(missing).location).toBe('recordId');
  });

  it('refuses unknown fields (the schema is strict), naming where they are', () => {
    expect(errorOf({ ...record(), patientName: 'x' }).location).toBe('$');
  });

  it('refuses two lines with one line number', () => {
    const body = record();
    body.lines = [{ chargeCode: 'CHG-100001', quantity: 1 }, { lineNumber: 1, chargeCode: 'CHG-100002', quantity: 1 }];
    expect(errorOf(body).location).toBe('lines[1].lineNumber');
  });

  it('rejects non-objects with a ValidationError', () => {
    for (const body of [null, undefined, 'text', 3, []]) expect(thrown(() => parse(body))).toBeInstanceOf(ValidationError);
  });
});
