import { apiEvent, bodyOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { exceptionIdFor } from '../../../functions/domain/use-cases/ids';
import { mapUsageLines } from '../../../functions/domain/use-cases/map-usage-lines';
import { makeHandler } from '../../../functions/handlers/ops-exceptions';
import { fakeDependencies, lambdaContext, sampleUsage } from '../fakes';

const OPS_USER = 'arn:aws:iam::123456789012:user/ops-alice';
const exceptionId = exceptionIdFor('EPIC|NMC|MSG00001|1');

const withOpenException = async () => {
  const deps = fakeDependencies();
  const usage = sampleUsage({
    lines: [{ lineNumber: 1, item: { system: 'CHARGE', value: 'CHG-999999' }, quantity: 2, transactionType: 'CHARGE', serviceDate: '2025-03-14T08:15:00.000Z' }],
  });
  await mapUsageLines(deps, { usage, correlationId: 'corr-1', causationId: 'evt-1' });
  return deps;
};

describe('ops-exceptions handler', () => {
  it('lists OPEN exceptions by default', async () => {
    const deps = await withOpenException();
    const response = await makeHandler(deps)(apiEvent({ resource: '/v1/ops/exceptions', userArn: OPS_USER }), lambdaContext());
    expect(response.statusCode).toBe(200);
    const body = bodyOf<{ status: string; count: number; exceptions: { exceptionId: string; reasons: string[] }[] }>(response);
    expect(body.status).toBe('OPEN');
    expect(body.exceptions.map((e) => [e.exceptionId, e.reasons])).toStrictEqual([[exceptionId, ['UNKNOWN_CHARGE_CODE']]]);
  });

  it('filters on ?status=RESOLVED and refuses an unknown status with 400', async () => {
    const deps = await withOpenException();
    const handler = makeHandler(deps);
    const resolved = await handler(apiEvent({ resource: '/v1/ops/exceptions', query: { status: 'RESOLVED' } }), lambdaContext());
    expect(bodyOf(resolved).count).toBe(0);
    const invalid = await handler(apiEvent({ resource: '/v1/ops/exceptions', query: { status: 'CLOSED' } }), lambdaContext());
    expect(invalid.statusCode).toBe(400);
    expect(bodyOf(invalid).location).toBe('status');
  });

  it('gets one exception and answers 404 for an unknown one', async () => {
    const handler = makeHandler(await withOpenException());
    const found = await handler(apiEvent({ resource: '/v1/ops/exceptions/{exceptionId}', pathParameters: { exceptionId } }), lambdaContext());
    expect(found.statusCode).toBe(200);
    expect(bodyOf(found).lineNumber).toBe(1);
    const missing = await handler(apiEvent({ resource: '/v1/ops/exceptions/{exceptionId}', pathParameters: { exceptionId: 'exc_nope' } }), lambdaContext());
    expect(missing.statusCode).toBe(404);
  });

  it('fixes the crosswalk then reprocesses the exception (202) under its original correlation id', async () => {
    const deps = await withOpenException();
    const handler = makeHandler(deps);
    const fixed = await handler(
      apiEvent({
        method: 'PUT',
        resource: '/v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}',
        pathParameters: { sourceSystem: 'EPIC', chargeCode: 'CHG-999999' },
        body: JSON.stringify({ itemId: 'ITM-10002' }),
        userArn: OPS_USER,
      }),
      lambdaContext(),
    );
    expect(fixed.statusCode).toBe(200);
    expect(bodyOf(fixed)).toStrictEqual({ sourceSystem: 'EPIC', chargeCode: 'CHG-999999', itemId: 'ITM-10002' });

    const reprocessed = await handler(
      apiEvent({ method: 'POST', resource: '/v1/ops/exceptions/{exceptionId}/reprocess', pathParameters: { exceptionId }, userArn: OPS_USER }),
      lambdaContext(),
    );
    expect(reprocessed.statusCode).toBe(202);
    expect(bodyOf(reprocessed)).toStrictEqual({ exceptionId, correlationId: 'corr-1' });
    const [event] = deps.events.ofType('SupplyUsageRecorded');
    expect(event?.detail.correlationId).toBe('corr-1');
    expect(deps.audit.records.at(-1)?.actor).toBe(OPS_USER);
  });

  it('answers 409 when reprocessing a RESOLVED exception', async () => {
    const deps = await withOpenException();
    await deps.exceptions.markResolved(exceptionId, '2025-03-14T10:00:00.000Z');
    const response = await makeHandler(deps)(
      apiEvent({ method: 'POST', resource: '/v1/ops/exceptions/{exceptionId}/reprocess', pathParameters: { exceptionId } }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(409);
  });

  it('returns 400 naming itemId when the crosswalk points at an unknown item', async () => {
    const response = await makeHandler(await withOpenException())(
      apiEvent({
        method: 'PUT',
        resource: '/v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}',
        pathParameters: { sourceSystem: 'EPIC', chargeCode: 'CHG-999999' },
        body: JSON.stringify({ itemId: 'ITM-99999' }),
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).location).toBe('itemId');
  });

  it('stores a department crosswalk and refuses a body with unknown members', async () => {
    const deps = await withOpenException();
    const handler = makeHandler(deps);
    const put = (body: unknown) =>
      handler(
        apiEvent({
          method: 'PUT',
          resource: '/v1/ops/crosswalks/departments/{sourceSystem}/{facilityCode}/{departmentCode}',
          pathParameters: { sourceSystem: 'EPIC', facilityCode: 'NMC', departmentCode: 'XRAY' },
          body: JSON.stringify(body),
        }),
        lambdaContext(),
      );
    expect((await put({ locationId: 'NMC-ED', costCenter: 'CC-NMC-ED' })).statusCode).toBe(200);
    expect((await deps.referenceData.findDepartment('EPIC', 'NMC', 'XRAY'))?.locationId).toBe('NMC-ED');
    expect((await put({ locationId: 'NMC-ED', costCenter: 'CC-NMC-ED', patientName: 'x' })).statusCode).toBe(400);
  });

  it('returns 400 for a body that is not JSON, without echoing it', async () => {
    const response = await makeHandler(await withOpenException())(
      apiEvent({
        method: 'PUT',
        resource: '/v1/ops/crosswalks/charge-codes/{sourceSystem}/{chargeCode}',
        pathParameters: { sourceSystem: 'EPIC', chargeCode: 'CHG-999999' },
        body: '{"itemId": DOE^JANE',
      }),
      lambdaContext(),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body.includes('DOE')).toBe(false);
  });

  it('routes on the concrete path when the resource template is absent', async () => {
    const event = apiEvent({ resource: '/v1/ops/exceptions/{exceptionId}', pathParameters: { exceptionId } });
    const response = await makeHandler(await withOpenException())({ ...event, resource: '', pathParameters: null }, lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(bodyOf(response).exceptionId).toBe(exceptionId);
  });
});
