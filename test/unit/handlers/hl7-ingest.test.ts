import { apiEvent, captureLogs, headerOf } from './support';
import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SupplyUsageRecordedSchema } from '../../../contracts/events';
import { InfrastructureError } from '../../../functions/domain/errors';
import { makeHandler } from '../../../functions/handlers/hl7-ingest';
import { metrics } from '../../../functions/handlers/shared/powertools';
import { fakeDependencies, lambdaContext } from '../fakes';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/hl7');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** PHI of the fixtures' patients: none of it may leave the ingest boundary. */
const PHI = ['HALVORSEN', 'BRIGITTA', 'MRN4417890', '472-18-9931', '19670412', 'LAKESHORE', '555-0142', 'V20261126-0042', 'ACCT77120034', 'XQH884120377'];
const assertNoPhi = (text: string): void => {
  for (const value of PHI) expect(text.includes(value)).toBe(false);
};

/** `requestId` is API Gateway's request id: the transaction id HEM gives the message. */
const post = (body: string, { requestId, ...headers }: Record<string, string> = {}, isBase64Encoded = false, clientId = 'epic-interface') =>
  apiEvent({
    method: 'POST',
    resource: '/v1/hl7',
    body,
    isBase64Encoded,
    headers: { 'Content-Type': 'application/hl7-v2', ...headers },
    ...(requestId === undefined ? {} : { requestId }),
    claims: { client_id: clientId, scope: 'hem/usage.write' },
  });

/** The v2.3 fixture with one segment rewritten by `edit` (segments are CR-separated). */
const editedFixture = (edit: (segment: string) => string): string => fixture('dft-p03-v23.hl7').split('\r').map(edit).join('\r');
/** The fixture sent by another facility (MSH-4) of the same sending application, same MSH-10. */
const fromFacility = (facility: string): string => editedFixture((s) => (s.startsWith('MSH|') ? s.replace('|EPIC|NMC|', `|EPIC|${facility}|`) : s));
/** The fixture with FT1 1's quantity (FT1-10) replaced by `quantity` (HL7 NM text). */
const withQuantity = (quantity: string): string => editedFixture((s) => (s.startsWith('FT1|1|') ? s.replace('|||4|||', `|||${quantity}|||`) : s));

const msa = (ack: string): string[] => (ack.split('\r').find((s) => s.startsWith('MSA')) ?? '').split('|');

describe('hl7-ingest handler', () => {
  it('answers AA with 200 and publishes one PHI-free SupplyUsageRecorded', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-hl7-1' }), lambdaContext());

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
    const first = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-first' }), lambdaContext());
    deps.clock.advance(30_000);
    const resent = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-resend' }), lambdaContext());

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
    const response = await makeHandler(deps)(post(fixture('dft-p03-bad-qty.hl7'), { requestId: 'corr-bad' }), lambdaContext());

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
  it('refuses a resent MSH-10 with different content with AR "control id reused with different content", records it and publishes nothing more', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const addMetric = jest.spyOn(metrics, 'addMetric');
    try {
      const first = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-original' }), lambdaContext());
      expect(msa(first.body)[1]).toBe('AA');
      const { result: corrected, lines } = await captureLogs(async () =>
        handler(post(withQuantity('40'), { requestId: 'corr-corrected' }), lambdaContext()),
      );

      expect(corrected.statusCode).toBe(422);
      expect(headerOf(corrected, 'Content-Type')).toBe('application/hl7-v2');
      expect(msa(corrected.body).slice(0, 4)).toStrictEqual(['MSA', 'AR', 'NMC-DFT-0001', 'control id reused with different content']);
      expect(corrected.body).toMatch(/ERR\|MSH\^1\^10\^205/);
      expect(headerOf(corrected, 'X-Correlation-Id')).toBe('corr-corrected');
      expect(deps.events.events.length).toBe(1);
      const [hop] = deps.transactions.hops.filter((h) => h.correlationId === 'corr-corrected');
      expect(hop?.hop).toBe('rejected');
      expect(hop?.detail).toStrictEqual({ code: 'IDEMPOTENCY_KEY_REUSED', ackCode: 'AR', location: 'MSH-10' });
      expect(addMetric.mock.calls.some(([name]) => name === 'IdempotencyKeyReused')).toBe(true);
      expect(lines.some((l) => l.code === 'IDEMPOTENCY_KEY_REUSED')).toBe(true);
      assertNoPhi(JSON.stringify(lines));
      assertNoPhi(corrected.body);
    } finally {
      addMetric.mockRestore();
    }
  });

  it('still answers an exact resend (even with LF separators and MLLP framing) with the original ACK', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const first = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-first' }), lambdaContext());
    const reframed = `\u000b${fixture('dft-p03-v23.hl7').split('\r').join('\n')}\u001c\r`;
    const resent = await handler(post(reframed, { requestId: 'corr-resend' }), lambdaContext());
    expect(resent.statusCode).toBe(200);
    expect(resent.body).toBe(first.body);
    expect(deps.events.events.length).toBe(1);
  });

  it('accepts the same MSH-3 and MSH-10 from two facilities (MSH-4) as two messages', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    const nmc = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-nmc' }), lambdaContext());
    const smc = await handler(post(fromFacility('SMC'), { requestId: 'corr-smc' }), lambdaContext());
    expect([nmc.statusCode, smc.statusCode]).toStrictEqual([200, 200]);
    expect(headerOf(smc, 'X-Correlation-Id')).toBe('corr-smc');
    const facilities = deps.events.events.map((e) => SupplyUsageRecordedSchema.parse(e.detail).usage.facilityCode);
    expect(facilities).toStrictEqual(['NMC', 'SMC']);
  });

  it('keeps control ids of two authenticated clients apart: the second client is not answered with the first one\'s ACK', async () => {
    const deps = fakeDependencies();
    const handler = makeHandler(deps);
    await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-client-a' }), lambdaContext());
    const other = await handler(post(fixture('dft-p03-v23.hl7'), { requestId: 'corr-client-b' }, false, 'other-usage-writer'), lambdaContext());
    expect(other.statusCode).toBe(200);
    expect(headerOf(other, 'X-Correlation-Id')).toBe('corr-client-b');
    expect(deps.events.events.length).toBe(2);
    expect(deps.audit.records.map((r) => r.actor)).toStrictEqual(['epic-interface', 'other-usage-writer']);
  });

  it.each([
    ['1e29', '100000000000000000000000000000'],
    ['1e308', `1${'0'.repeat(308)}`],
    ['2^53+1', '9007199254740993'],
    ['-99999999999999999999999', '-99999999999999999999999'],
    ['1e-9', '0.000000001'],
    ['100000.5', '100000.5'],
    ['4 decimals', '1.2345'],
  ])('answers AE naming FT1-10 for a quantity the workflow cannot store (%s) and publishes nothing', async (_name, quantity) => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(withQuantity(quantity)), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(msa(response.body)[1]).toBe('AE');
    expect(response.body).toMatch(/ERR\|FT1\^1\^10/);
    expect(deps.events.events.length).toBe(0);
  });

  it('accepts the largest storable quantity: 100000 with 3 decimals', async () => {
    const deps = fakeDependencies();
    const response = await makeHandler(deps)(post(withQuantity('99999.999')), lambdaContext());
    expect(msa(response.body)[1]).toBe('AA');
    expect(SupplyUsageRecordedSchema.parse(deps.events.events[0]!.detail).usage.lines[0]?.quantity).toBe(99999.999);
  });

  it('answers AR naming the cap for a message of more than 100 FT1 segments', async () => {
    const deps = fakeDependencies();
    const [ft1] = fixture('dft-p03-v23.hl7').split('\r').filter((s) => s.startsWith('FT1|'));
    const lines = Array.from({ length: 101 }, (_, i) => ft1!.replace(/^FT1\|1\|/, `FT1|${i + 1}|`));
    const message = editedFixture((s) => (s.startsWith('FT1|1|') ? lines.join('\r') : s.startsWith('FT1|') ? '' : s)).replace(/\r\r+/g, '\r');
    const response = await makeHandler(deps)(post(message), lambdaContext());
    expect(response.statusCode).toBe(400);
    expect(msa(response.body)[1]).toBe('AR');
    expect(msa(response.body)[3]).toMatch(/at most 100 FT1 segments/);
    expect(deps.events.events.length).toBe(0);
  });
});
