import { apiEvent, bodyOf, captureLogs, headerOf } from './support';
import { describe, expect, it, jest } from '@jest/globals';
import { SupplyUsageRecordedSchema } from '../../../contracts/events';
import { metrics } from '../../../functions/handlers/shared/powertools';
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

/** `requestId` is API Gateway's request id: the transaction id HEM gives the request. */
const post = (body: unknown, { requestId, ...headers }: Record<string, string> = {}, clientId = 'epic-interface') =>
  apiEvent({
    method: 'POST',
    resource: '/v1/usage-events',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(requestId === undefined ? {} : { requestId }),
    claims: { client_id: clientId, scope: 'hem/usage.write' },
  });

const PHI = ['V20261126-0042', 'HALVORSEN', 'BRIGITTA', 'Patient/p1'];

describe('usage-ingest handler', () => {
  it("regression #12: a caller's X-Correlation-Id naming another transaction attaches no hop to it; it is kept as clientCorrelationId on the received hop", async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { requestId: 'corr-victim' }), lambdaContext());
    const victimHops = deps.transactions.hopNames('corr-victim');
    const response = await handler(post(record({ recordId: 'REC-0002' }), { requestId: 'corr-attacker', 'X-Correlation-Id': 'corr-victim' }), lambdaContext());
    expect(response.statusCode).toBe(202);
    expect(bodyOf(response).correlationId).toBe('corr-attacker');
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-attacker');
    expect(deps.transactions.hopNames('corr-victim')).toStrictEqual(victimHops);
    const [received] = deps.transactions.hops.filter((h) => h.correlationId === 'corr-attacker');
    expect([received?.hop, received?.detail?.clientCorrelationId]).toStrictEqual(['received', 'corr-victim']);
  });

  it('accepts a canonical usage record with 202 and counts', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(record(), { requestId: 'corr-json-1' }), lambdaContext());
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
    await handler(post(record(), { requestId: 'corr-a' }), lambdaContext());
    const repeat = await handler(post(record(), { requestId: 'corr-b' }), lambdaContext());
    expect(repeat.statusCode).toBe(202);
    expect(bodyOf(repeat).correlationId).toBe('corr-a');
    expect(headerOf(repeat, 'X-Correlation-Id')).toBe('corr-a');
    expect(deps.events.events.length).toBe(1);
  });

  // Was "is idempotent on the Idempotency-Key header when one is given", which asserted that a
  // reused key with a different body was answered 202 and silently dropped: now refused (422).
  it('is idempotent on the Idempotency-Key header: an exact repeat gets the first answer, a reused key with a different body is refused with 422', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'Idempotency-Key': 'key-1', requestId: 'corr-key-1' }), lambdaContext());
    const repeat = await handler(post(record(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    const reused = await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-1' }), lambdaContext());
    await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-2' }), lambdaContext());
    expect(repeat.statusCode).toBe(202);
    expect(bodyOf(repeat).correlationId).toBe('corr-key-1');
    expect(reused.statusCode).toBe(422);
    expect(deps.events.events.map((e) => (e.detail.usage as { messageControlId: string }).messageControlId)).toStrictEqual(['REC-0001', 'REC-0002']);
  });

  it('refuses a reused Idempotency-Key with a different body with 422 problem+json naming Idempotency-Key, and records the refusal', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const addMetric = jest.spyOn(metrics, 'addMetric');
    try {
      await handler(post(record(), { 'Idempotency-Key': 'key-1' }), lambdaContext());
      const { result: reused, lines } = await captureLogs(async () =>
        handler(
          post(record({ lines: [{ chargeCode: 'CHG-100001', quantity: 5, uom: 'EA' }] }), { 'Idempotency-Key': 'key-1', requestId: 'corr-reused' }),
          lambdaContext(),
        ),
      );
      expect(reused.statusCode).toBe(422);
      expect(headerOf(reused, 'Content-Type')).toBe('application/problem+json');
      const problem = bodyOf(reused);
      expect(problem.type).toBe('urn:hem:problem:idempotency-key-reused');
      expect(problem.location).toBe('Idempotency-Key');
      expect(problem.correlationId).toBe('corr-reused');
      expect(deps.events.events.length).toBe(1);
      expect(deps.transactions.hops.find((h) => h.correlationId === 'corr-reused')?.detail).toStrictEqual({
        code: 'IDEMPOTENCY_KEY_REUSED',
        location: 'Idempotency-Key',
      });
      expect(addMetric.mock.calls.some(([name]) => name === 'IdempotencyKeyReused')).toBe(true);
      expect(lines.some((l) => l.code === 'IDEMPOTENCY_KEY_REUSED')).toBe(true);
      for (const value of PHI) expect(JSON.stringify(lines).includes(value)).toBe(false);
    } finally {
      addMetric.mockRestore();
    }
  });

  it('keeps the Idempotency-Keys of two clients apart: the second client\'s record is accepted, not answered with the first one\'s', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record(), { 'Idempotency-Key': 'key-1', requestId: 'corr-a' }), lambdaContext());
    const other = await handler(post(record({ recordId: 'REC-0002' }), { 'Idempotency-Key': 'key-1', requestId: 'corr-b' }, 'other-usage-writer'), lambdaContext());
    expect(other.statusCode).toBe(202);
    expect(bodyOf(other).correlationId).toBe('corr-b');
    expect(deps.events.events.length).toBe(2);
  });

  it('refuses a repeated recordId with different content with 422 naming recordId', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(record()), lambdaContext());
    const corrected = await handler(post(record({ lines: [{ chargeCode: 'CHG-100001', quantity: 40, uom: 'EA' }] })), lambdaContext());
    expect(corrected.statusCode).toBe(422);
    expect(bodyOf(corrected).location).toBe('recordId');
    expect(deps.events.events.length).toBe(1);
  });

  it('answers an exact FHIR resend with the first answer, and a new meta.versionId as a new request', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const headers = { 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' };
    const v1 = chargeItem({ meta: { versionId: '1' } });
    await handler(post(v1, { ...headers, requestId: 'corr-v1' }), lambdaContext());
    const resent = await handler(post(v1, { ...headers, requestId: 'corr-v1-again' }), lambdaContext());
    const v2 = await handler(post(chargeItem({ meta: { versionId: '2' }, quantity: { value: 2, code: 'EA' } }), headers), lambdaContext());
    expect(bodyOf(resent).correlationId).toBe('corr-v1');
    expect(v2.statusCode).toBe(202);
    expect(deps.events.events.length).toBe(2);
  });

  it('refuses the same FHIR resource version with different content with 422 naming meta.versionId', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const headers = { 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' };
    await handler(post(chargeItem({ meta: { versionId: '1' } }), headers), lambdaContext());
    const changed = await handler(post(chargeItem({ meta: { versionId: '1' }, quantity: { value: 30, code: 'EA' } }), headers), lambdaContext());
    expect(changed.statusCode).toBe(422);
    expect(bodyOf(changed).location).toBe('meta.versionId');
    expect(deps.events.events.length).toBe(1);
  });

  it.each([
    ['1e29', 1e29],
    ['1e308', 1e308],
    ['2^53+1', 2 ** 53 + 1],
    ['-99999999999999999999999', Number('-99999999999999999999999')],
    ['1e-9', 1e-9],
    ['100000.5', 100000.5],
  ])('returns 400 naming lines[0].quantity for a quantity the workflow cannot store (%s)', async (_name, quantity) => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(record({ lines: [{ chargeCode: 'CHG-100001', quantity }] })), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('lines[0].quantity');
    expect(deps.events.events.length).toBe(0);
  });

  it('returns 400 naming lines[0].quantity for a quantity that JSON reads as Infinity', async () => {
    const body = JSON.stringify(record()).replace('"quantity":4', '"quantity":1e400');
    const response = await makeHandler(fakeDependencies())(post(body), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('lines[0].quantity');
  });

  it('returns 400 naming the cap for a record of more than 100 lines', async () => {
    const lines = Array.from({ length: 101 }, () => ({ chargeCode: 'CHG-100001', quantity: 1 }));
    const response = await makeHandler(fakeDependencies())(post(record({ lines })), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('lines');
    expect(String(bodyOf(response).detail)).toMatch(/at most 100 lines/);
  });

  it('returns 400 naming ChargeItem.quantity.value for a FHIR quantity the workflow cannot store', async () => {
    const headers = { 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' };
    for (const value of [1e29, 1e-9, Number('-99999999999999999999999')]) {
      const response = await makeHandler(fakeDependencies())(post(chargeItem({ quantity: { value, code: 'EA' } }), headers), lambdaContext());
      expect(response.statusCode).toBe(400);
      expect(bodyOf(response).location).toBe('ChargeItem.quantity.value');
    }
  });

  it('returns 400 naming the cap for a FHIR Bundle of more than 100 entries', async () => {
    const entry = Array.from({ length: 101 }, (_, i) => ({ resource: chargeItem({ id: `ci-${i}` }) }));
    const response = await makeHandler(fakeDependencies())(
      post({ resourceType: 'Bundle', id: 'b-1', type: 'collection', entry }, { 'X-Source-System': 'EPIC', 'X-Facility-Code': 'NMC' }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('Bundle.entry');
    expect(String(bodyOf(response).detail)).toMatch(/at most 100/);
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
