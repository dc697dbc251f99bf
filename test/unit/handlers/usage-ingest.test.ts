import { apiEvent, bodyOf, headerOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    assert.equal(response.statusCode, 202);
    assert.deepEqual(bodyOf(response), { correlationId: 'corr-json-1', messages: 1, lines: 2 });
    assert.equal(headerOf(response, 'X-Correlation-Id'), 'corr-json-1');

    const detail = SupplyUsageRecordedSchema.parse(deps.events.events[0]!.detail);
    assert.equal(detail.usage.messageControlId, 'REC-0001');
    assert.match(detail.usage.encounterRef ?? '', /^enc_/);
    for (const value of PHI) assert.equal(JSON.stringify(deps.events.events).includes(value), false);
  });

  it('returns 400 problem naming lines[0].quantity', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(record({ lines: [{ chargeCode: 'CHG-100001', quantity: 0 }] })), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(headerOf(response, 'Content-Type'), 'application/problem+json');
    const problem = bodyOf(response);
    assert.equal(problem.location, 'lines[0].quantity');
    assert.match(String(problem.detail), /lines\[0\]\.quantity/);
    assert.equal(deps.events.events.length, 0);
    assert.equal(deps.transactions.hops[0]?.hop, 'rejected');
    assert.equal(deps.transactions.hops[0]?.detail?.location, 'lines[0].quantity');
  });

  it('returns 400 for a body that is not JSON, without echoing it', async () => {
    const response = await makeHandler(fakeDependencies())(post('{"visitNumber": "V20261126-0042"'), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(response.body.includes('V2026'), false);
  });

  it('answers a repeated record (same sourceSystem and recordId) with the first answer and publishes nothing', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'X-Correlation-Id': 'corr-a' }), lambdaContext());
    const repeat = await handler(post(record(), { 'X-Correlation-Id': 'corr-b' }), lambdaContext());
    assert.equal(repeat.statusCode, 202);
    assert.equal(bodyOf(repeat).correlationId, 'corr-a');
    assert.equal(headerOf(repeat, 'X-Correlation-Id'), 'corr-a');
    assert.equal(deps.events.events.length, 1);
  });

  it('is idempotent on the Idempotency-Key header when one is given', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-2' }), lambdaContext());
    assert.deepEqual(
      deps.events.events.map((e) => (e.detail.usage as { messageControlId: string }).messageControlId),
      ['REC-0001', 'REC-0002'],
    );
  });

  it('accepts a FHIR ChargeItem, taking the sending system and facility from the headers', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(
      post(chargeItem(), { 'Content-Type': 'application/fhir+json', 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' }),
      lambdaContext(),
    );
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(bodyOf(response).lines, 1);
    const detail = SupplyUsageRecordedSchema.parse(deps.events.events[0]!.detail);
    assert.deepEqual([detail.usage.sourceSystem, detail.usage.facilityCode, detail.usage.sourceFormat], ['EPIC', 'NMC', 'FHIR:ChargeItem']);
    for (const value of PHI) assert.equal(JSON.stringify(deps.events.events).includes(value), false);
  });

  it('returns 400 naming X-Source-System when neither the resource nor the headers name the sending system', async () => {
    const response = await makeHandler(fakeDependencies())(post(chargeItem(), { 'X-Facility-Code': 'NMC' }), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(bodyOf(response).location, 'X-Source-System');
  });

  it('returns 400 naming X-Facility-Code when neither the resource nor the headers name the facility', async () => {
    const response = await makeHandler(fakeDependencies())(post(chargeItem(), { 'X-Source-System': 'EPIC' }), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(bodyOf(response).location, 'X-Facility-Code');
  });

  it('returns 400 naming Idempotency-Key when it has unsafe characters', async () => {
    const response = await makeHandler(fakeDependencies())(post(record(), { 'Idempotency-Key': 'a b c' }), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(bodyOf(response).location, 'Idempotency-Key');
  });
});
