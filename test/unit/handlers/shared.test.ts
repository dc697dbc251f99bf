import { apiEvent, bodyOf, captureLogs, headerOf } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AuthenticationError,
  AuthorizationError,
  ConcurrencyError,
  ConflictError,
  DataError,
  InfrastructureError,
  MappingError,
  NotFoundError,
  UpstreamRejectedError,
  UpstreamUnavailableError,
  ValidationError,
} from '../../../functions/domain/errors';
import { correlationIdOf } from '../../../functions/handlers/shared/correlation';
import { httpStatusFor, problemFor } from '../../../functions/handlers/shared/error-mapping';
import { bodyText, jsonBody } from '../../../functions/handlers/shared/http';
import { jsonPath } from '../../../functions/handlers/shared/validation';
import { makeHandler as makeInventoryQuery } from '../../../functions/handlers/inventory-query';
import { fakeDependencies, lambdaContext } from '../fakes';

describe('error mapping', () => {
  it('maps each error kind to its one HTTP status', () => {
    const cases: [unknown, number][] = [
      [new ValidationError('bad'), 400],
      [new DataError('bad field'), 400],
      [new AuthenticationError('who?'), 401],
      [new AuthorizationError('no'), 403],
      [new NotFoundError('none'), 404],
      [new ConflictError('resolved'), 409],
      [new UpstreamUnavailableError('down'), 503],
      [new ConcurrencyError('busy'), 503],
      [new InfrastructureError('table'), 503],
      [new UpstreamRejectedError('refused'), 500],
      [new MappingError('unmapped', ['UNKNOWN_ITEM']), 500],
      [new TypeError('boom'), 500],
      ['a string', 500],
    ];
    for (const [error, status] of cases) assert.equal(httpStatusFor(error), status, String(error));
  });

  it('never exposes internals in a 500 problem', () => {
    const response = problemFor(new Error('SELECT * FROM patients WHERE mrn=123'), 'corr-1');
    assert.equal(response.statusCode, 500);
    assert.equal(response.body.includes('patients'), false);
    assert.equal(bodyOf(response).correlationId, 'corr-1');
  });

  it('asks for a retry on 503', () => {
    const response = problemFor(new InfrastructureError('dynamodb throttled'), 'corr-1');
    assert.equal(response.statusCode, 503);
    assert.equal(headerOf(response, 'Retry-After'), '5');
    assert.equal(response.body.includes('dynamodb'), false);
  });

  it('names the location of a validation error', () => {
    const problem = bodyOf(problemFor(new ValidationError('quantity must be a non-zero number', { location: 'lines[0].quantity' }), 'c'));
    assert.deepEqual(
      { status: problem.status, location: problem.location, detail: problem.detail, type: problem.type },
      { status: 400, location: 'lines[0].quantity', detail: 'quantity must be a non-zero number', type: 'urn:hem:problem:validation-failed' },
    );
  });
});

describe('http helpers', () => {
  it('decodes base64 bodies', () => {
    assert.equal(bodyText({ body: Buffer.from('MSH|^~\\&|').toString('base64'), isBase64Encoded: true }), 'MSH|^~\\&|');
  });

  it('turns invalid JSON into a ValidationError that does not quote the input', () => {
    assert.throws(
      () => jsonBody({ body: '{"name": "DOE^JANE"', isBase64Encoded: false }),
      (e: unknown) => e instanceof ValidationError && !e.message.includes('DOE'),
    );
  });

  it('writes zod paths as JSON paths', () => {
    assert.equal(jsonPath(['lines', 0, 'quantity']), 'lines[0].quantity');
    assert.equal(jsonPath([]), '$');
  });

  it('takes the correlation id from the header in any case, else the request id', () => {
    assert.equal(correlationIdOf(apiEvent({ resource: '/x', headers: { 'X-CORRELATION-ID': 'abc-1' } })), 'abc-1');
    assert.equal(correlationIdOf(apiEvent({ resource: '/x', requestId: 'req-7' })), 'req-7');
  });
});

describe('logging', () => {
  it('puts the correlation id on every log line of an invocation and never logs the event', async () => {
    const handler = makeInventoryQuery(fakeDependencies());
    const { lines } = await captureLogs(() =>
      handler(
        apiEvent({
          resource: '/v1/inventory/{locationId}/{itemId}',
          pathParameters: { locationId: 'NMC-ED', itemId: 'ITM-10001' },
          headers: { 'X-Correlation-Id': 'corr-log-1', 'X-Patient-Name': 'DOE^JANE' },
        }),
        lambdaContext(),
      ),
    );
    assert.ok(lines.length > 0);
    for (const line of lines) {
      assert.equal(line.correlationId, 'corr-log-1');
      assert.equal(JSON.stringify(line).includes('DOE'), false);
    }
  });

  it('does not carry one invocation correlation id into the next', async () => {
    const handler = makeInventoryQuery(fakeDependencies());
    const event = (id: string) =>
      apiEvent({ resource: '/v1/inventory/{locationId}/{itemId}', pathParameters: { locationId: 'NMC-ED', itemId: 'X' }, headers: { 'X-Correlation-Id': id } });
    const { lines } = await captureLogs(async () => {
      await handler(event('first'), lambdaContext());
      await handler(event('second'), lambdaContext());
    });
    assert.deepEqual([...new Set(lines.map((l) => l.correlationId))], ['first', 'second']);
  });
});
