import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Supplier } from '../../../contracts/procurement';
import { HttpSupplierNetwork, verdictOf } from '../../../functions/adapters/connectors/supplier-network-client';
import { build850 } from '../../../functions/adapters/x12';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { buildProcurementSeed } from '../../../local/seed-procurement';
import { startSupplierNetwork, type SupplierNetwork } from '../../../local/simulators/supplier-network';
import { FAST_RETRIES, gauzePurchaseOrder, useSimulator } from '../../support/simulators';

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
    assert.match(functionalAck ?? '', /ST\*999\*/);
    assert.equal(verdictOf(functionalAck ?? '').accepted, true);
    const received = network.inbox().find((e) => e.poNumber === 'PO-NMC-00000701');
    assert.equal(received?.ackCode, 'A');
    assert.equal(received?.lines[0]?.quantity, 7);
  });

  it('retries a 503 and delivers the interchange once', async () => {
    network.setFaults({ failNext: 1, status: 503 });
    await client.send(medline, interchangeFor('PO-NMC-00000702'), '850|PO-NMC-00000702');
    assert.equal(network.inbox().filter((e) => e.poNumber === 'PO-NMC-00000702').length, 1);
  });

  it('resends after a timeout with the same control numbers: the network sees a duplicate, not a second order', async () => {
    network.setFaults({ timeoutNext: 1 });
    const text = interchangeFor('PO-NMC-00000703');
    await client.send(medline, text, '850|PO-NMC-00000703');
    const entries = network.inbox().filter((e) => e.poNumber === 'PO-NMC-00000703');
    assert.deepEqual(
      entries.map((e) => e.duplicate),
      [false, true],
    );
  });

  it('is UpstreamRejectedError when the network answers a TA1 (unknown receiver)', async () => {
    const stranger: Supplier = { ...medline, supplierId: 'SUP-NOBODY', x12: { isaQualifier: 'ZZ', isaId: 'NOBODY', gsId: 'NOBODY' } };
    await assert.rejects(client.send(stranger, interchangeFor('PO-NMC-00000704', stranger), '850|PO-NMC-00000704'), (e: unknown) => {
      assert.ok(e instanceof UpstreamRejectedError);
      assert.equal(e.details.status, 400);
      assert.equal(e.details.ackType, 'TA1');
      assert.deepEqual(e.details.codes, ['R', '008']);
      return true;
    });
  });

  it('is UpstreamRejectedError when the 999 rejects the 850', async () => {
    const broken = interchangeFor('PO-NMC-00000705').replace('PO1*1*7*BX*', 'PO1*1*0*BX*');
    await assert.rejects(client.send(medline, broken, '850|PO-NMC-00000705'), (e: unknown) => {
      assert.ok(e instanceof UpstreamRejectedError);
      assert.equal(e.details.ackType, '999');
      assert.ok((e.details.codes as string[]).includes('R'));
      return true;
    });
  });

  it('is UpstreamUnavailableError (retryable) when the network stays down', async () => {
    network.setFaults({ failNext: 5, status: 502 });
    await assert.rejects(client.send(medline, interchangeFor('PO-NMC-00000706'), '850|PO-NMC-00000706'), UpstreamUnavailableError);
  });
});
