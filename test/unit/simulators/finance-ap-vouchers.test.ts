/**
 * AP vouchers through the finance simulator over real HTTP, posted by HttpFinanceLedger: exactly one
 * voucher per voucher id however often (and however failed) the post is repeated.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ApVoucher } from '../../../contracts/procurement';
import { HttpFinanceLedger } from '../../../functions/adapters/connectors/finance-client';
import { UpstreamRejectedError } from '../../../functions/domain/errors';
import { startFinanceSimulator, type FinanceSimulator } from '../../../local/simulators/finance';

const voucher = (overrides: Partial<ApVoucher> = {}): ApVoucher => ({
  voucherId: 'APV|SUP-MEDLINE|INV-1001',
  invoiceNumber: 'INV-1001',
  supplierId: 'SUP-MEDLINE',
  poNumber: 'PO-NMC-00000042',
  facilityId: 'FAC-NMC',
  invoiceDate: '2025-03-17',
  postingDate: '2025-03-18',
  currency: 'USD',
  totalAmount: 250,
  lines: [
    { lineNumber: 1, kind: 'MERCHANDISE', costCenter: 'CC-NMC-CATH', glAccount: '6100-200', amount: 240 },
    { lineNumber: 2, kind: 'FREIGHT', costCenter: 'CC-NMC-CATH', glAccount: '6100-200', amount: 10 },
  ],
  correlationId: 'corr-p2p-gloves',
  ...overrides,
});

let sim: FinanceSimulator;
const ledger = (): HttpFinanceLedger => new HttpFinanceLedger({ baseUrl: sim.url, timeoutMs: 300, maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 });

describe('finance simulator: AP vouchers', () => {
  beforeAll(async () => {
    sim = await startFinanceSimulator();
  });
  afterEach(() => sim.setFaults({}));
  afterAll(() => sim.stop());

  it('posts a voucher once: the same voucher again returns the same journal', async () => {
    const first = await ledger().postApVoucher(voucher());
    const again = await ledger().postApVoucher(voucher({ correlationId: 'another-request' }));
    expect(first.journalId).toMatch(/^APJ-\d{6}$/);
    expect(again.journalId).toBe(first.journalId);
    expect(sim.apVouchers().filter((v) => v.voucherId === voucher().voucherId).length).toBe(1);
    const listed = (await (await fetch(`${sim.url}/ap/vouchers?supplierId=SUP-MEDLINE`)).json()) as { journalId: string }[];
    expect(listed.some((v) => v.journalId === first.journalId)).toBeTruthy();
    const one = await fetch(`${sim.url}/ap/vouchers/${encodeURIComponent(voucher().voucherId)}`);
    expect(one.status).toBe(200);
  });

  it('keeps exactly one voucher when the post times out after committing and the client retries', async () => {
    const v = voucher({ voucherId: 'APV|SUP-MEDLINE|INV-1002', invoiceNumber: 'INV-1002' });
    sim.setFaults({ timeoutNext: 1 });
    const posted = await ledger().postApVoucher(v);
    expect(sim.apVouchers().filter((x) => x.voucherId === v.voucherId).length).toBe(1);
    expect(sim.apVouchers().find((x) => x.voucherId === v.voucherId)?.journalId).toBe(posted.journalId);
    expect(sim.stats().voucherReplays >= 1).toBeTruthy();
  });

  it('refuses for good a voucher whose lines do not add up (422) and a voucher id reused with other amounts (409)', async () => {
    await expect(ledger().postApVoucher(voucher({ voucherId: 'APV|SUP-MEDLINE|INV-1003', totalAmount: 999 }))).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamRejectedError && e.details.status === 422));
    await expect(ledger().postApVoucher(voucher({ totalAmount: 240, lines: [{ lineNumber: 1, kind: 'MERCHANDISE', costCenter: 'CC-NMC-CATH', glAccount: '6100-200', amount: 240 }] }))).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamRejectedError && e.details.status === 409));
  });

  it('answers 400 without an Idempotency-Key or when it differs from the voucher id', async () => {
    const missing = await fetch(`${sim.url}/ap/vouchers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(voucher()) });
    expect(missing.status).toBe(400);
    const mismatched = await fetch(`${sim.url}/ap/vouchers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'APV|OTHER' },
      body: JSON.stringify(voucher()),
    });
    expect(mismatched.status).toBe(400);
    expect(((await mismatched.json()) as { code: string }).code).toBe('idempotency-key-mismatch');
  });
});
