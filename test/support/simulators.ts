/**
 * What the connector tests share when they drive a local simulator (ERP, supplier network) over real
 * HTTP: the simulator's life around a `describe`, fast retry timings, and the one-line purchase order
 * they send.
 */
import { afterAll, beforeAll, beforeEach } from '@jest/globals';
import type { PurchaseOrder } from '../../contracts/procurement';

/** A started simulator: its URL, its fault switch (`{}` clears it) and its shutdown. */
export interface RunningSimulator {
  url: string;
  setFaults(faults: Record<string, never>): void;
  stop(): Promise<void>;
}

/**
 * Connector timings for tests: a hung request gives up after 500 ms and retries wait 5–20 ms, so an
 * injected timeout or outage costs a test well under a second.
 */
export const FAST_RETRIES = { timeoutMs: 500, baseDelayMs: 5, maxDelayMs: 20 } as const;

/**
 * Runs a simulator for the enclosing `describe`: `start` before its tests (then `onStarted`, where the
 * test keeps the simulator and builds its client on `url`), faults cleared before each test (so a
 * test's injected faults never leak into the next), stopped after the suite.
 */
export const useSimulator = <S extends RunningSimulator>(start: () => Promise<S>, onStarted: (simulator: S) => void): void => {
  let simulator: S | undefined;
  beforeAll(async () => {
    simulator = await start();
    onStarted(simulator);
  });
  afterAll(async () => simulator?.stop());
  beforeEach(() => simulator?.setFaults({}));
};

/** A created purchase order at NMC-OR for 7 BX of gauze (ITM-10001) at 4.50, as the connectors send it. */
export const gauzePurchaseOrder = (poNumber: string, overrides: Partial<PurchaseOrder> = {}): PurchaseOrder => ({
  poNumber,
  requisitionId: 'REQ-1',
  supplierId: 'SUP-MEDLINE',
  facilityId: 'FAC-NMC',
  locationId: 'NMC-OR',
  costCenter: 'CC-NMC-OR',
  shipToGln: '0614141000012',
  orderDate: '2025-03-14',
  currency: 'USD',
  lines: [
    {
      lineNumber: 1,
      itemId: 'ITM-10001',
      description: 'Sponge, gauze 4x4 in, sterile',
      supplierCatalogNumber: 'PRM21430',
      gtin: '10614141000019',
      quantity: 7,
      uom: 'BX',
      uomFactor: 10,
      unitPrice: 4.5,
      expectedQuantity: 7,
      receivedBaseQuantity: 0,
      invoicedBaseQuantity: 0,
      status: 'OPEN',
    },
  ],
  status: 'CREATED',
  correlationId: 'corr-po-1',
  createdAt: '2025-03-14T09:30:00.000Z',
  ...overrides,
});
