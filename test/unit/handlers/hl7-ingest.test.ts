import { apiEvent, captureLogs, headerOf } from './support';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SupplyUsageRecordedSchema } from '../../../contracts/events';
import { InfrastructureError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/hl7-ingest';
import { fakeDependencies, lambdaContext } from '../fakes';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/hl7');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** PHI of the fixtures' patients: none of it may leave the ingest boundary. */
const PHI = ['HALVORSEN', 'BRIGITTA', 'MRN4417890', '472-18-9931', '19670412', 'LAKESHORE', '555-0142', 'V20261126-0042', 'ACCT77120034', 'XQH884120377'];
const assertNoPhi = (text: string): void => {
  for (const value of PHI) assert.equal(text.includes(value), false, `PHI ${value} leaked`);
};

const post = (body: string, headers: Record<string, string> = {}, isBase64Encoded = false) =>
  apiEvent({
    method: 'POST',
    resource: '/v1/hl7',
    body,
    isBase64Encoded,
    headers: { 'Content-Type': 'application/hl7-v2', ...headers },
    claims: { client_id: 'epic-interface', scope: 'hem/usage.write' },
  });

const msa = (ack: string): string[] => (ack.split('\r').find((s) => s.startsWith('MSA')) ?? '').split('|');

describe('hl7-ingest handler', () => {
  it('answers AA with 200 and publishes one PHI-free SupplyUsageRecorded', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('dft-p03-v23.hl7'), { 'X-Correlation-Id': 'corr-hl7-1' }), lambdaContext());

    assert.equal(response.statusCode, 200);
    assert.equal(headerOf(response, 'Content-Type'), 'application/hl7-v2');
    assert.equal(headerOf(response, 'X-Correlation-Id'), 'corr-hl7-1');
    assert.deepEqual(msa(response.body).slice(0, 3), ['MSA', 'AA', 'NMC-DFT-0001']);

    const [event] = deps.events.events;
    assert.equal(deps.events.events.length, 1);
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    assert.equal(detail.correlationId, 'corr-hl7-1');
    assert.equal(detail.usage.messageControlId, 'NMC-DFT-0001');
    assert.equal(detail.usage.lines.length, 2);
    assert.match(detail.usage.encounterRef ?? '', /^enc_/);
    assertNoPhi(JSON.stringify(deps.events.events));
    assertNoPhi(JSON.stringify(deps.transactions.hops));
    assert.deepEqual(deps.transactions.hopNames('corr-hl7-1'), ['received']);
    assert.equal(deps.audit.records[0]?.actor, 'epic-interface');
  });

  it('returns the same ACK for a resent MSH-10 and publishes nothing more', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const first = await handler(post(fixture('dft-p03-v23.hl7'), { 'X-Correlation-Id': 'corr-first' }), lambdaContext());
    deps.clock.advance(30_000);
    const resent = await handler(post(fixture('dft-p03-v23.hl7'), { 'X-Correlation-Id': 'corr-resend' }), lambdaContext());

    assert.equal(resent.statusCode, 200);
    assert.equal(resent.body, first.body);
    assert.equal(headerOf(resent, 'X-Correlation-Id'), 'corr-first');
    assert.equal(deps.events.events.length, 1);
    assert.deepEqual(deps.transactions.hopNames('corr-resend'), []);
  });

  it('accepts a base64-encoded body (binary media type)', async () => {
    const deps = fakeDependencies();
    const body = Buffer.from(fixture('dft-p03-v251-crlf.hl7')).toString('base64');
    const response = await makeHandler(deps)(post(body, {}, true), lambdaContext());
    assert.equal(response.statusCode, 200);
    assert.equal(msa(response.body)[1], 'AA');
  });

  it("answers AE naming FT1-10 for a bad quantity, records a PHI-free 'rejected' hop and publishes nothing", async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('dft-p03-bad-qty.hl7'), { 'X-Correlation-Id': 'corr-bad' }), lambdaContext());

    assert.equal(response.statusCode, 400);
    assert.equal(headerOf(response, 'Content-Type'), 'application/hl7-v2');
    assert.equal(msa(response.body)[1], 'AE');
    assert.match(response.body, /ERR\|FT1\^2\^10/);
    assertNoPhi(response.body);
    assert.equal(deps.events.events.length, 0);
    const [hop] = deps.transactions.hops;
    assert.equal(hop?.hop, 'rejected');
    assert.equal(hop?.correlationId, 'corr-bad');
    assert.equal(hop?.detail?.ackCode, 'AE');
    assert.match(String(hop?.detail?.location), /^FT1/);
    assertNoPhi(JSON.stringify(hop));
  });

  it('answers AR for a body that is not HL7', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('not-hl7.txt')), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(msa(response.body)[1], 'AR');
    assert.equal(response.body.includes('gauze'), false);
    assert.equal(deps.events.events.length, 0);
  });

  it('answers AR for a batch of several DFT^P03 messages', async () => {
    const deps = fakeDependencies();
    const batch = `${fixture('dft-p03-v23.hl7').trim()}\r${fixture('dft-p03-credit.hl7').trim()}`;
    const response = await makeHandler(deps)(post(batch), lambdaContext());
    assert.equal(response.statusCode, 400);
    assert.equal(msa(response.body)[1], 'AR');
    assert.equal(deps.events.events.length, 0);
  });

  it('answers 503 with AE when the bus is down, and accepts the resend once it is back', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    const failed = await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
    assert.equal(failed.statusCode, 503);
    assert.equal(msa(failed.body)[1], 'AE');
    assert.equal(failed.body.includes('PutEvents'), false);

    const resent = await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
    assert.equal(resent.statusCode, 200);
    assert.equal(deps.events.events.length, 1);
  });

  it('logs no PHI whether it accepts or rejects', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const { lines } = await captureLogs(async () => {
      await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
      await handler(post(fixture('dft-p03-bad-qty.hl7')), lambdaContext());
      await handler(post(fixture('not-hl7.txt')), lambdaContext());
    });
    assert.ok(lines.length >= 2);
    assertNoPhi(JSON.stringify(lines));
    assert.ok(lines.every((l) => typeof l.correlationId === 'string'));
  });
});
