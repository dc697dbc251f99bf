import { apiEvent, bodyOf, captureLogs, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
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
import { clientCorrelationIdOf, correlationIdOf } from '../../../functions/handlers/shared/correlation';
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
    for (const [error, status] of cases) expect(httpStatusFor(error)).toBe(status);
  });

  it('never exposes internals in a 500 problem', () => {
    const response = problemFor(new Error('SELECT * FROM patients WHERE mrn=123'), 'corr-1');
    expect(response.statusCode).toBe(500);
    expect(response.body.includes('patients')).toBe(false);
    expect(bodyOf(response).correlationId).toBe('corr-1');
  });

  it('asks for a retry on 503', () => {
    const response = problemFor(new InfrastructureError('dynamodb throttled'), 'corr-1');
    expect(response.statusCode).toBe(503);
    expect(headerOf(response, 'Retry-After')).toBe('5');
    expect(response.body.includes('dynamodb')).toBe(false);
  });

  it('names the location of a validation error', () => {
    const problem = bodyOf(problemFor(new ValidationError('quantity must be a non-zero number', { location: 'lines[0].quantity' }), 'c'));
    expect({ status: problem.status, location: problem.location, detail: problem.detail, type: problem.type }).toStrictEqual({ status: 400, location: 'lines[0].quantity', detail: 'quantity must be a non-zero number', type: 'urn:hem:problem:validation-failed' });
  });
});

describe('http helpers', () => {
  it('decodes base64 bodies', () => {
    expect(bodyText({ body: Buffer.from('MSH|^~\\&|').toString('base64'), isBase64Encoded: true })).toBe('MSH|^~\\&|');
  });

  it('turns invalid JSON into a ValidationError that does not quote the input', () => {
    expect(() => jsonBody({ body: '{"name": "DOE^JANE"', isBase64Encoded: false })).toThrow(expect.toSatisfy((e: unknown) => e instanceof ValidationError && !e.message.includes('DOE')));
  });

  it('writes zod paths as JSON paths', () => {
    expect(jsonPath(['lines', 0, 'quantity'])).toBe('lines[0].quantity');
    expect(jsonPath([])).toBe('$');
  });

  it("regression #12: takes the transaction's correlation id from the request id, never from the caller's X-Correlation-Id", () => {
    expect(correlationIdOf(apiEvent({ resource: '/x', headers: { 'X-CORRELATION-ID': 'abc-1' }, requestId: 'req-7' }))).toBe('req-7');
    expect(correlationIdOf(apiEvent({ resource: '/x', requestId: 'req-7' }))).toBe('req-7');
  });

  it("keeps the caller's sane X-Correlation-Id, in any case, as its clientCorrelationId, and drops an unsafe one", () => {
    expect(clientCorrelationIdOf(apiEvent({ resource: '/x', headers: { 'X-CORRELATION-ID': 'abc-1' } }))).toBe('abc-1');
    expect(clientCorrelationIdOf(apiEvent({ resource: '/x', headers: { 'X-Correlation-Id': '<script>' } }))).toBe(undefined);
    expect(clientCorrelationIdOf(apiEvent({ resource: '/x' }))).toBe(undefined);
  });
});

describe('logging', () => {
  it("puts the correlation id and the caller's clientCorrelationId on every log line of an invocation and never logs the event", async () => {
    const handler = makeInventoryQuery(fakeDependencies());
    const { lines } = await captureLogs(() =>
      handler(
        apiEvent({
          resource: '/v1/inventory/{locationId}/{itemId}',
          pathParameters: { locationId: 'NMC-ED', itemId: 'ITM-10001' },
          headers: { 'X-Correlation-Id': 'partner-ref-1', 'X-Patient-Name': 'DOE^JANE' },
          requestId: 'corr-log-1',
        }),
        lambdaContext(),
      ),
    );
    expect(lines.length > 0).toBeTruthy();
    for (const line of lines) {
      expect([line.correlationId, line.clientCorrelationId]).toStrictEqual(['corr-log-1', 'partner-ref-1']);
      expect(JSON.stringify(line).includes('DOE')).toBe(false);
    }
  });

  it('does not carry one invocation correlation id into the next', async () => {
    const handler = makeInventoryQuery(fakeDependencies());
    const event = (id: string) =>
      apiEvent({ resource: '/v1/inventory/{locationId}/{itemId}', pathParameters: { locationId: 'NMC-ED', itemId: 'X' }, requestId: id });
    const { lines } = await captureLogs(async () => {
      await handler(event('first'), lambdaContext());
      await handler(event('second'), lambdaContext());
    });
    expect([...new Set(lines.map((l) => l.correlationId))]).toStrictEqual(['first', 'second']);
  });
});
