import { apiEvent, captureLogs, headerOf } from './support';
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SupplyUsageRecordedSchema } from '../../../contracts/events';
import { InfrastructureError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/hl7-ingest';
import { fakeDependencies, lambdaContext } from '../fakes';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/hl7');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** PHI of the fixtures' patients: none of it may leave the ingest boundary. */
const PHI = ['HALVORSEN', 'BRIGITTA', 'MRN4417890', '472-18-9931', '19670412', 'LAKESHORE', '555-0142', 'V20261126-0042', 'ACCT77120034', 'XQH884120377'];
const assertNoPhi = (text: string): void => {
  for (const value of PHI) expect(text.includes(value)).toBe(false);
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

    expect(response.statusCode).toBe(200);
    expect(headerOf(response, 'Content-Type')).toBe('application/hl7-v2');
    expect(headerOf(response, 'X-Correlation-Id')).toBe('corr-hl7-1');
    expect(msa(response.body).slice(0, 3)).toStrictEqual(['MSA', 'AA', 'NMC-DFT-0001']);

    const [event] = deps.events.events;
    expect(deps.events.events.length).toBe(1);
    const detail = SupplyUsageRecordedSchema.parse(event!.detail);
    expect(detail.correlationId).toBe('corr-hl7-1');
    expect(detail.usage.messageControlId).toBe('NMC-DFT-0001');
    expect(detail.usage.lines.length).toBe(2);
    expect(detail.usage.encounterRef ?? '').toMatch(/^enc_/);
    assertNoPhi(JSON.stringify(deps.events.events));
    assertNoPhi(JSON.stringify(deps.transactions.hops));
    expect(deps.transactions.hopNames('corr-hl7-1')).toStrictEqual(['received']);
    expect(deps.audit.records[0]?.actor).toBe('epic-interface');
  });

  it('returns the same ACK for a resent MSH-10 and publishes nothing more', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const first = await handler(post(fixture('dft-p03-v23.hl7'), { 'X-Correlation-Id': 'corr-first' }), lambdaContext());
    deps.clock.advance(30_000);
    const resent = await handler(post(fixture('dft-p03-v23.hl7'), { 'X-Correlation-Id': 'corr-resend' }), lambdaContext());

    expect(resent.statusCode).toBe(200);
    expect(resent.body).toBe(first.body);
    expect(headerOf(resent, 'X-Correlation-Id')).toBe('corr-first');
    expect(deps.events.events.length).toBe(1);
    expect(deps.transactions.hopNames('corr-resend')).toStrictEqual([]);
  });

  it('accepts a base64-encoded body (binary media type)', async () => {
    const deps = fakeDependencies();
    const body = Buffer.from(fixture('dft-p03-v251-crlf.hl7')).toString('base64');
    const response = await makeHandler(deps)(post(body, {}, true), lambdaContext());
    expect(response.statusCode).toBe(200);
    expect(msa(response.body)[1]).toBe('AA');
  });

  it("answers AE naming FT1-10 for a bad quantity, records a PHI-free 'rejected' hop and publishes nothing", async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('dft-p03-bad-qty.hl7'), { 'X-Correlation-Id': 'corr-bad' }), lambdaContext());

    expect(response.statusCode).toBe(400);
    expect(headerOf(response, 'Content-Type')).toBe('application/hl7-v2');
    expect(msa(response.body)[1]).toBe('AE');
    expect(response.body).toMatch(/ERR\|FT1\^2\^10/);
    assertNoPhi(response.body);
    expect(deps.events.events.length).toBe(0);
    const [hop] = deps.transactions.hops;
    expect(hop?.hop).toBe('rejected');
    expect(hop?.correlationId).toBe('corr-bad');
    expect(hop?.detail?.ackCode).toBe('AE');
    expect(String(hop?.detail?.location)).toMatch(/^FT1/);
    assertNoPhi(JSON.stringify(hop));
  });

  it('answers AR for a body that is not HL7', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('not-hl7.txt')), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(msa(response.body)[1]).toBe('AR');
    expect(response.body.includes('gauze')).toBe(false);
    expect(deps.events.events.length).toBe(0);
  });

  it('answers AR for a batch of several DFT^P03 messages', async () => {
    const deps = fakeDependencies();
    const batch = `${fixture('dft-p03-v23.hl7').trim()}\r${fixture('dft-p03-credit.hl7').trim()}`;
    const response = await makeHandler(deps)(post(batch), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(msa(response.body)[1]).toBe('AR');
    expect(deps.events.events.length).toBe(0);
  });

  it('answers 503 with AE when the bus is down, and accepts the resend once it is back', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    deps.events.failNext(new InfrastructureError('PutEvents failed'));
    const failed = await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
    expect(failed.statusCode).toBe(503);
    expect(msa(failed.body)[1]).toBe('AE');
    expect(failed.body.includes('PutEvents')).toBe(false);

    const resent = await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
    expect(resent.statusCode).toBe(200);
    expect(deps.events.events.length).toBe(1);
  });

  it('logs no PHI whether it accepts or rejects', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const { lines } = await captureLogs(async () => {
      await handler(post(fixture('dft-p03-v23.hl7')), lambdaContext());
      await handler(post(fixture('dft-p03-bad-qty.hl7')), lambdaContext());
      await handler(post(fixture('not-hl7.txt')), lambdaContext());
    });
    expect(lines.length >= 2).toBeTruthy();
    assertNoPhi(JSON.stringify(lines));
    expect(lines.every((l) => typeof l.correlationId === 'string')).toBeTruthy();
  });
});
