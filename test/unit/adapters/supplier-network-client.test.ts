import { describe, expect, it } from '@jest/globals';
import type { Supplier } from '../../../contracts/procurement';
import { HttpSupplierNetwork, verdictOf } from '../../../functions/adapters/connectors/supplier-network-client';
import { build850 } from '../../../functions/adapters/x12';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { buildProcurementSeed } from '../../../local/seed-procurement';
import { startSupplierNetwork, type SupplierNetwork } from '../../../local/simulators/supplier-network';
import { FAST_RETRIES, gauzePurchaseOrder, useSimulator } from '../../support/simulators';
import { expectInstanceOf } from '../../support/expect-narrowing';

const seed = buildProcurementSeed();
const medline = seed.suppliers.find((s) => s.supplierId === 'SUP-MEDLINE')!;

let control = 700;
const interchangeFor = (poNumber: string, supplier: Supplier = medline): string => {
  control += 1;
  return build850(
    gauzePurchaseOrder(poNumber, { supplierId: supplier.supplierId, correlationId: 'corr-850' }),
    { buyer: seed.buyer, supplier, shipTo: { name: 'North Medical Center', gln: '0614141000012' } },
    { interchange: String(control), group: String(control), transactionSet: String(control).padStart(4, '0') },
    new Date('2025-03-14T09:30:00Z'),
  );
};

describe('HttpSupplierNetwork against the supplier network simulator (real HTTP)', () => {
  let network: SupplierNetwork;
  let client: HttpSupplierNetwork;

  useSimulator(
    // The simulator would play the orders back to HEM after these delays; stop() cancels them first.
    () =>
      startSupplierNetwork({
        hemBaseUrl: 'http://127.0.0.1:9',
        tokenFor: () => Promise.resolve('unused'),
        scenario: { delaysMs: { ack: 3_600_000, asn: 3_600_000, invoice: 3_600_000 } },
      }),
    (started) => {
      network = started;
      client = new HttpSupplierNetwork({ baseUrl: network.url, ...FAST_RETRIES });
    },
  );

  it("returns the network's 999 for an accepted 850 and the order reaches the supplier", async () => {
    const { functionalAck } = await client.send(medline, interchangeFor('PO-NMC-00000701'), '850|PO-NMC-00000701');
    expect(functionalAck ?? '').toMatch(/ST\*999\*/);
    expect(verdictOf(functionalAck ?? '').accepted).toBe(true);
    const received = network.inbox().find((e) => e.poNumber === 'PO-NMC-00000701');
    expect(received?.ackCode).toBe('A');
    expect(received?.lines[0]?.quantity).toBe(7);
  });

  it('retries a 503 and delivers the interchange once', async () => {
    network.setFaults({ failNext: 1, status: 503 });
    await client.send(medline, interchangeFor('PO-NMC-00000702'), '850|PO-NMC-00000702');
    expect(network.inbox().filter((e) => e.poNumber === 'PO-NMC-00000702').length).toBe(1);
  });

  it('resends after a timeout with the same control numbers: the network sees a duplicate, not a second order', async () => {
    network.setFaults({ timeoutNext: 1 });
    const text = interchangeFor('PO-NMC-00000703');
    await client.send(medline, text, '850|PO-NMC-00000703');
    const entries = network.inbox().filter((e) => e.poNumber === 'PO-NMC-00000703');
    expect(entries.map((e) => e.duplicate)).toStrictEqual([false, true]);
  });

  it('is UpstreamRejectedError when the network answers a TA1 (unknown receiver)', async () => {
    const stranger: Supplier = { ...medline, supplierId: 'SUP-NOBODY', x12: { isaQualifier: 'ZZ', isaId: 'NOBODY', gsId: 'NOBODY' } };
    await expect(client.send(stranger, interchangeFor('PO-NMC-00000704', stranger), '850|PO-NMC-00000704')).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, UpstreamRejectedError);
      expect(e.details.status).toBe(400);
      expect(e.details.ackType).toBe('TA1');
      expect(e.details.codes).toStrictEqual(['R', '008']);
      return true;
    }));
  });

  it('is UpstreamRejectedError when the 999 rejects the 850', async () => {
    const broken = interchangeFor('PO-NMC-00000705').replace('PO1*1*7*BX*', 'PO1*1*0*BX*');
    await expect(client.send(medline, broken, '850|PO-NMC-00000705')).rejects.toThrow(expect.toSatisfy((e: unknown) => {
      expectInstanceOf(e, UpstreamRejectedError);
      expect(e.details.ackType).toBe('999');
      expect((e.details.codes as string[]).includes('R')).toBeTruthy();
      return true;
    }));
  });

  it('is UpstreamUnavailableError (retryable) when the network stays down', async () => {
    network.setFaults({ failNext: 5, status: 502 });
    await expect(client.send(medline, interchangeFor('PO-NMC-00000706'), '850|PO-NMC-00000706')).rejects.toThrow(UpstreamUnavailableError);
  });
});
