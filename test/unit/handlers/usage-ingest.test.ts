import { apiEvent, bodyOf, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { SupplyUsageRecordedSchema } from '../../../contracts/events';
import { makeHandler } from '../../../functions/handlers/usage-ingest';
import { fakeDependencies, lambdaContext } from '../fakes';

const record = (overrides: Record<string, unknown> = {}) => ({
  sourceSystem: 'EPIC',
  facilityCode: 'NMC',
  recordId: 'REC-0001',
  occurredAt: '2025-03-14T08:15:00Z',
  departmentCode: 'OR',
  visitNumber: 'V20261126-0042',
  lines: [
    { chargeCode: 'CHG-100001', quantity: 4, uom: 'EA' },
    { chargeCode: 'CHG-100002', quantity: 1 },
  ],
  ...overrides,
});

/** A FHIR ChargeItem with patient context HEM must drop. */
const chargeItem = (overrides: Record<string, unknown> = {}) => ({
  resourceType: 'ChargeItem',
  id: 'ci-0001',
  status: 'billable',
  code: { coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100001' }] },
  quantity: { value: 3, code: 'EA' },
  occurrenceDateTime: '2025-03-14T08:15:00Z',
  extension: [{ url: 'urn:hem:department', valueString: 'OR' }],
  subject: { reference: 'Patient/p1', display: 'HALVORSEN, BRIGITTA' },
  encounter: { identifier: { value: 'V20261126-0042' } },
  ...overrides,
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  apiEvent({
    method: 'POST',
    resource: '/v1/usage-events',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
    claims: { client_id: 'epic-interface', scope: 'hem/usage.write' },
  });

const PHI = ['V20261126-0042', 'HALVORSEN', 'BRIGITTA', 'Patient/p1'];

describe('usage-ingest handler', () => {
  it('accepts a canonical usage record with 202 and counts', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(record(), { 'X-Correlation-Id': 'corr-json-1' }), lambdaContext());
    expect(response.statusCode).toBe(202);
    expect(bodyOf(response)).toStrictEqual({ correlationId: 'corr-json-1', messages: 1, lines: 2 });
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-json-1');

    const detail = SupplyUsageRecordedSchema.parse(deps.events.events[0]!.detail);
    expect(detail.usage.messageControlId).toBe('REC-0001');
    expect(detail.usage.encounterRef ?? '').toMatch(/^enc_/);
    for (const value of PHI) expect(JSON.stringify(deps.events.events).includes(value)).toBe(false);
  });

  it('returns 400 problem naming lines[0].quantity', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(record({ lines: [{ chargeCode: 'CHG-100001', quantity: 0 }] })), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/problem+json');
    const problem = bodyOf(response);
    expect(problem.location).toBe('lines[0].quantity');
    expect(String(problem.detail)).toMatch(/lines\[0\]\.quantity/);
    expect(deps.events.events.length).toBe(0);
    expect(deps.transactions.hops[0]?.hop).toBe('rejected');
    expect(deps.transactions.hops[0]?.detail?.location).toBe('lines[0].quantity');
  });

  it('returns 400 for a body that is not JSON, without echoing it', async () => {
    const response = await makeHandler(fakeDependencies())(post('{"visitNumber": "V20261126-0042"'), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(response.body.includes('V2026')).toBe(false);
  });

  it('answers a repeated record (same sourceSystem and recordId) with the first answer and publishes nothing', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'X-Correlation-Id': 'corr-a' }), lambdaContext());
    const repeat = await handler(post(record(), { 'X-Correlation-Id': 'corr-b' }), lambdaContext());
    expect(repeat.statusCode).toBe(202);
    expect(bodyOf(repeat).correlationId).toBe('corr-a');
    expect(headerOf(repeat, 'X-Correlation-Id')).toBe('corr-a');
    expect(deps.events.events.length).toBe(1);
  });

  it('is idempotent on the Idempotency-Key header when one is given', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-2' }), lambdaContext());
    expect(deps.events.events.map((e) => (e.detail.usage as { messageControlId: string }).messageControlId)).toStrictEqual(['REC-0001', 'REC-0002']);
  });

  it('accepts a FHIR ChargeItem, taking the sending system and facility from the headers', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(
      post(chargeItem(), { 'Content-Type': 'application/fhir+json', 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(202);
    expect(bodyOf(response).lines).toBe(1);
    const detail = SupplyUsageRecordedSchema.parse(deps.events.events[0]!.detail);
    expect([detail.usage.sourceSystem, detail.usage.facilityCode, detail.usage.sourceFormat]).toStrictEqual(['EPIC', 'NMC', 'FHIR:ChargeItem']);
    for (const value of PHI) expect(JSON.stringify(deps.events.events).includes(value)).toBe(false);
  });

  it('returns 400 naming X-Source-System when neither the resource nor the headers name the sending system', async () => {
    const response = await makeHandler(fakeDependencies())(post(chargeItem(), { 'X-Facility-Code': 'NMC' }), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('X-Source-System');
  });

  it('returns 400 naming X-Facility-Code when neither the resource nor the headers name the facility', async () => {
    const response = await makeHandler(fakeDependencies())(post(chargeItem(), { 'X-Source-System': 'EPIC' }), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('X-Facility-Code');
  });

  it('returns 400 naming Idempotency-Key when it has unsafe characters', async () => {
    const response = await makeHandler(fakeDependencies())(post(record(), { 'Idempotency-Key': 'a b c' }), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('Idempotency-Key');
  });
});
