import { describe, expect, it } from '@jest/globals';
import type { ChargeItem, Procedure, SupplyDelivery } from '@medplum/fhirtypes';
import { UsageMessageSchema } from '../../../contracts/usage';
import { fhirDateTimeToIso, parseFhirUsage } from '../../../functions/adapters/fhir';
import { DataError, ValidationError } from '../../../functions/domain/errors';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { expectInstanceOf } from '../../support/expect-narrowing';
import { encounterKey, readJsonFixture, thrown } from './support';

const options = { encounterKey, sourceSystem: 'EPIC', facilityCode: 'NMC' };
const parse = (body: unknown, o: Partial<typeof options> = {}) => parseFhirUsage(body, { ...options, ...o });
const clone = <T>(value: T): T => structuredClone(value);

/** Location of the ValidationError (DataError or zod shape error) `fn` throws. */
const errorOf = (fn: () => unknown): { kind: string; location: string | undefined; message: string } => {
  const e = thrown(fn);
  expectInstanceOf(e, ValidationError);
  return { kind: e instanceof DataError ? 'DataError' : 'ValidationError', location: e.location, message: e.message };
};

const procedure = (): Procedure => clone(readJsonFixture('fhir/procedure-used-code.json') as Procedure);
const chargeItem = (): ChargeItem => clone(readJsonFixture('fhir/chargeitem.json') as ChargeItem);
const supplyDelivery = (): SupplyDelivery => clone(readJsonFixture('fhir/supplydelivery.json') as SupplyDelivery);

describe('parseFhirUsage — Procedure', () => {
  it('maps usedCode charge codes, CPT, location, performed time and encounter', () => {
    const [message] = parse(procedure());
    expect(message).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'Procedure/proc-nmc-0001',
      sourceFormat: 'FHIR:Procedure',
      occurredAt: '2026-11-26T13:45:00.000Z',
      departmentCode: 'OR',
      encounterRef: encounterRef(encounterKey, 'NMC', 'V20261126-0042'),
      procedureCode: '44970',
      lines: [
        { lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2026-11-26T13:45:00.000Z' },
        { lineNumber: 2, item: { system: 'CHARGE', value: 'CHG-100002' }, quantity: 1, transactionType: 'CHARGE', serviceDate: '2026-11-26T13:45:00.000Z' },
      ],
    });
  });

  it('gives the HL7 and FHIR forms of one visit the same encounter reference', () => {
    const [message] = parse(procedure());
    expect(message?.encounterRef).toBe(encounterRef(encounterKey, 'NMC', 'V20261126-0042'));
  });

  it('reads GTIN usedCode and a contained Device’s UDI device identifier as GTINs', () => {
    const [message] = parse(readJsonFixture('fhir/procedure-used-device-gtin.json'));
    expect(message?.lines.map((l) => l.item)).toStrictEqual([
        { system: 'GTIN', value: '00881234500029' },
        { system: 'GTIN', value: '10881234500019' },
      ]);
    expect(message?.occurredAt).toBe('2026-11-26T09:00:00.000Z');
    expect(message?.departmentCode).toBe('CATH');
    // Without an identifier the encounter reference string is the HMAC input.
    expect(message?.encounterRef).toBe(encounterRef(encounterKey, 'NMC', 'Encounter/enc-V20261126-0077'));
  });

  it('accepts urn:oid:1.3.160 as the GS1 system and a contained Medication’s code', () => {
    const body = procedure();
    body.usedCode = [{ coding: [{ system: 'urn:oid:1.3.160', code: '00881234500029' }] }];
    body.contained = [{ resourceType: 'Medication', id: 'med', code: { coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100010' }] } }];
    body.usedReference = [{ reference: '#med' }];
    const [message] = parse(body);
    expect(message?.lines.map((l) => l.item.value)).toStrictEqual(['00881234500029', 'CHG-100010']);
  });

  it('takes a CPT coding found in usedCode as the procedure code, never as a supply', () => {
    const body = procedure();
    delete body.code;
    body.usedCode = [{ coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '44970' }] }, { coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100001' }] }];
    const [message] = parse(body);
    expect(message?.procedureCode).toBe('44970');
    expect(message?.lines.map((l) => l.item.value)).toStrictEqual(['CHG-100001']);
  });

  it('prefers the urn:hem:department extension to the location identifier', () => {
    const body = procedure();
    body.extension = [...(body.extension ?? []), { url: 'urn:hem:department', valueString: 'CATH' }];
    expect(parse(body)[0]?.departmentCode).toBe('CATH');
  });

  it('takes the facility from the urn:hem:facility extension before the declared one, and meta.source before the declared system', () => {
    const body = procedure();
    body.meta = { source: 'EPIC-FHIR' };
    const [message] = parse(body, { facilityCode: 'SCH', sourceSystem: 'OTHER' });
    expect(message?.facilityCode).toBe('NMC');
    expect(message?.sourceSystem).toBe('EPIC-FHIR');
  });

  it('uses the declared facility and system when the resource names neither', () => {
    const body = procedure();
    delete body.extension;
    const [message] = parse(body, { facilityCode: 'SCH', sourceSystem: 'EPIC' });
    expect([message?.facilityCode, message?.sourceSystem]).toStrictEqual(['SCH', 'EPIC']);
  });

  it('flags a missing sending system or facility in details.missing, for the handler to name its headers', () => {
    const body = procedure();
    delete body.extension;
    const noFacility = thrown(() => parseFhirUsage(body, { encounterKey, sourceSystem: 'EPIC' }));
    expectInstanceOf(noFacility, DataError);
    expect([noFacility.location, noFacility.details['missing']]).toStrictEqual(['Procedure.extension', 'facilityCode']);
    const noSystem = thrown(() => parseFhirUsage(procedure(), { encounterKey, facilityCode: 'NMC' }));
    expectInstanceOf(noSystem, DataError);
    expect([noSystem.location, noSystem.details['missing']]).toStrictEqual(['Procedure.meta.source', 'sourceSystem']);
  });

  it('names Procedure.usedCode when no supplies are listed', () => {
    const body = procedure();
    delete body.usedCode;
    expect(errorOf(() => parse(body)).location).toStrictEqual('Procedure.usedCode');
    expect(errorOf(() => parse(body)).kind).toBe('DataError');
  });

  it('names the usedCode entry that has no supply coding', () => {
    const body = procedure();
    body.usedCode = [{ coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100001' }] }, { coding: [{ system: 'http://snomed.info/sct', code: '79068005' }] }];
    expect(errorOf(() => parse(body)).location).toBe('Procedure.usedCode[1]');
  });

  it('names a usedReference that does not resolve to a contained product, and a Device without GTIN', () => {
    const body = procedure();
    body.usedReference = [{ reference: 'Device/elsewhere' }];
    expect(errorOf(() => parse(body)).location).toBe('Procedure.usedReference[0]');
    body.contained = [{ resourceType: 'Device', id: 'd', udiCarrier: [{ deviceIdentifier: '+H123PARTNO1U' }] }];
    body.usedReference = [{ reference: '#d' }];
    expect(errorOf(() => parse(body)).location).toBe('Procedure.usedReference[0]');
  });

  it('refuses a not-done procedure and a missing or bad performed time', () => {
    const notDone = procedure();
    notDone.status = 'not-done';
    expect(errorOf(() => parse(notDone)).location).toBe('Procedure.status');
    const noTime = procedure();
    delete noTime.performedDateTime;
    expect(errorOf(() => parse(noTime)).location).toBe('Procedure.performed[x]');
    const badTime = procedure();
    badTime.performedDateTime = '26/11/2026';
    expect(errorOf(() => parse(badTime)).location).toBe('Procedure.performedDateTime');
  });

  it('reports shape errors with the JSON path (zod at the edge)', () => {
    const body = procedure() as unknown as Record<string, unknown>;
    body['usedCode'] = [{ coding: [{ system: 'urn:hem:charge-code', code: 12 }] }];
    expect([errorOf(() => parse(body)).kind, errorOf(() => parse(body)).location]).toStrictEqual(['ValidationError', 'Procedure.usedCode[0].coding[0].code']);
  });

  it('requires an id outside a Bundle', () => {
    const body = procedure();
    delete body.id;
    expect(errorOf(() => parse(body)).location).toBe('Procedure.id');
  });
});

describe('parseFhirUsage — ChargeItem', () => {
  it('maps code, quantity (code → uom), occurrence, context and the department extension', () => {
    const [message] = parse(chargeItem());
    expect(message).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'ChargeItem/chg-nmc-0002',
      sourceFormat: 'FHIR:ChargeItem',
      occurredAt: '2026-11-26T14:05:00.000Z',
      departmentCode: 'OR',
      encounterRef: encounterRef(encounterKey, 'NMC', 'V20261126-0042'),
      lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100002' }, quantity: 2, uom: 'EA', transactionType: 'CHARGE', serviceDate: '2026-11-26T14:05:00.000Z' }],
    });
  });

  it('ignores performing and requesting organizations for the department', () => {
    const body = chargeItem();
    body.extension = body.extension?.filter((e) => e.url !== 'urn:hem:department');
    expect('departmentCode' in (parse(body)[0] ?? {})).toBe(false);
  });

  it('treats a negative quantity as a credit', () => {
    const body = chargeItem();
    body.quantity = { value: -2 };
    expect([parse(body)[0]?.lines[0]?.transactionType, parse(body)[0]?.lines[0]?.quantity]).toStrictEqual(['CREDIT', -2]);
  });

  it('falls back to product[x] when the code has no supply coding, and to enteredDate for the time', () => {
    const body = chargeItem();
    body.code = { coding: [{ system: 'http://www.ama-assn.org/go/cpt', code: '44970' }] };
    body.productCodeableConcept = { coding: [{ system: 'https://www.gs1.org/gtin', code: '00881234500029' }] };
    delete body.occurrenceDateTime;
    const [message] = parse(body);
    expect(message?.lines[0]?.item).toStrictEqual({ system: 'GTIN', value: '00881234500029' });
    expect(message?.procedureCode).toBe('44970');
    expect(message?.occurredAt).toBe('2026-11-26T14:20:00.000Z');
  });

  it('reads occurrencePeriod.start and a system-less code as the sender’s charge code', () => {
    const body = chargeItem();
    delete body.occurrenceDateTime;
    body.occurrencePeriod = { start: '2026-11-26', end: '2026-11-27' };
    body.code = { coding: [{ code: 'CHG-100003' }] };
    const [message] = parse(body);
    expect(message?.occurredAt).toBe('2026-11-26T00:00:00.000Z');
    expect(message?.lines[0]?.item.value).toBe('CHG-100003');
  });

  it('refuses planned, aborted and entered-in-error charges, and a zero quantity', () => {
    for (const status of ['planned', 'aborted', 'entered-in-error'] as const) {
      const body = chargeItem();
      body.status = status;
      expect(errorOf(() => parse(body)).location).toBe('ChargeItem.status');
    }
    const zero = chargeItem();
    zero.quantity = { value: 0 };
    expect(errorOf(() => parse(zero)).location).toBe('ChargeItem.quantity.value');
  });
});

describe('parseFhirUsage — SupplyDelivery', () => {
  it('maps the supplied item, quantity with unit, occurrence and destination', () => {
    const [message] = parse(supplyDelivery());
    expect(message).toStrictEqual({
      sourceSystem: 'EPIC',
      facilityCode: 'NMC',
      messageControlId: 'SupplyDelivery/sd-nmc-0003',
      sourceFormat: 'FHIR:SupplyDelivery',
      occurredAt: '2026-11-26T15:15:00.000Z',
      departmentCode: 'OR',
      lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-100001' }, quantity: 5, uom: 'EA', transactionType: 'CHARGE', serviceDate: '2026-11-26T15:15:00.000Z' }],
    });
  });

  it('resolves itemReference to a contained Substance', () => {
    const body = supplyDelivery();
    body.contained = [{ resourceType: 'Substance', id: 's1', code: { coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100020' }] } }];
    body.suppliedItem = { quantity: { value: 1 }, itemReference: { reference: '#s1' } };
    expect(parse(body)[0]?.lines[0]?.item.value).toBe('CHG-100020');
  });

  it('accepts only a completed delivery', () => {
    for (const status of ['in-progress', 'abandoned', 'entered-in-error', undefined] as const) {
      const body = supplyDelivery();
      if (status === undefined) delete body.status;
      else body.status = status;
      expect(errorOf(() => parse(body)).location).toBe('SupplyDelivery.status');
    }
  });
});

describe('parseFhirUsage — Bundle and dispatch', () => {
  it('returns one message per supported entry, skipping Patient, Encounter and request-only entries', () => {
    const messages = parse(readJsonFixture('fhir/bundle.json'), { sourceSystem: 'IGNORED' });
    expect(messages.map((m) => [m.messageControlId, m.sourceFormat, m.sourceSystem, m.lines[0]?.item.value])).toStrictEqual([
        ['Bundle/bundle-nmc-0004/entry/2', 'FHIR:Procedure', 'EPIC', 'CHG-100001'],
        ['ChargeItem/chg-nmc-0005', 'FHIR:ChargeItem', 'EPIC', 'CHG-100002'],
      ]);
    for (const message of messages) expect(UsageMessageSchema.safeParse(message).success).toBeTruthy();
  });

  it('resolves a usedReference to another entry of the Bundle by fullUrl', () => {
    const bundle = {
      resourceType: 'Bundle',
      id: 'b1',
      type: 'collection',
      entry: [
        { fullUrl: 'urn:uuid:dev-1', resource: { resourceType: 'Device', udiCarrier: [{ deviceIdentifier: '10881234500019' }] } },
        { resource: { ...procedure(), usedCode: undefined, usedReference: [{ reference: 'urn:uuid:dev-1' }] } },
      ],
    };
    expect(parse(bundle)[0]?.lines[0]?.item).toStrictEqual({ system: 'GTIN', value: '10881234500019' });
  });

  it('refuses a Bundle without id whose entry has no id, and Bundles of other types', () => {
    const bundle = readJsonFixture('fhir/bundle.json') as Record<string, unknown>;
    delete bundle['id'];
    expect(errorOf(() => parse(bundle)).location).toBe('Bundle.entry[2].resource.id');
    expect(errorOf(() => parse({ ...(readJsonFixture('fhir/bundle.json') as object), type: 'searchset' })).location).toBe('Bundle.type');
  });

  it('refuses a Bundle with nothing to record', () => {
    expect(errorOf(() => parse({ resourceType: 'Bundle', id: 'x', type: 'batch', entry: [{ resource: { resourceType: 'Patient' } }] })).location).toBe('Bundle.entry');
  });

  it('names an unsupported resourceType in a DataError', () => {
    const error = errorOf(() => parse({ resourceType: 'Observation', id: 'o1' }));
    expect([error.kind, error.location]).toStrictEqual(['DataError', 'resourceType']);
    expect(error.message).toMatch(/Observation is not supported/);
  });

  it('rejects a body that is not a resource with a ValidationError', () => {
    for (const body of [null, 'text', 42, [], {}, { resourceType: 7 }]) {
      expect(errorOf(() => parse(body)).kind).toBe('ValidationError');
    }
  });
});

describe('fhirDateTimeToIso', () => {
  it('reads FHIR dateTime precisions and offsets', () => {
    expect(fhirDateTimeToIso('2026')).toBe('2026-01-01T00:00:00.000Z');
    expect(fhirDateTimeToIso('2026-11')).toBe('2026-11-01T00:00:00.000Z');
    expect(fhirDateTimeToIso('2026-11-26')).toBe('2026-11-26T00:00:00.000Z');
    expect(fhirDateTimeToIso('2026-11-26T08:15:00-05:00')).toBe('2026-11-26T13:15:00.000Z');
    expect(fhirDateTimeToIso('2026-11-26T08:15:00.123456Z')).toBe('2026-11-26T08:15:00.123Z');
    expect(fhirDateTimeToIso('2026-11-26T08:15:00.57Z')).toBe('2026-11-26T08:15:00.570Z');
  });

  it('refuses impossible dates', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '26/11/2026', '2026-11-26T25:00:00Z', '2026-11-26T08:15:00+15:00', '']) {
      expect(fhirDateTimeToIso(bad)).toBe(undefined);
    }
  });
});
