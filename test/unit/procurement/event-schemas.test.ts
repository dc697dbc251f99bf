import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import * as z from 'zod';
import * as events from '../../../contracts/procurement-events';

/** Object keys sorted at every level: the digest is of the schema, not of the order it was written in. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, inner]) => [key, canonical(inner)]),
  );
};

const digestOf = (schema: z.ZodType): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }))))
    .digest('hex')
    .slice(0, 16);

/**
 * The JSON Schema digests these events had while every field was spelled out in
 * contracts/procurement-events.ts. Their fields are now picked from the canonical schemas in
 * contracts/procurement.ts, so a change there could change an event's shape without touching the
 * event file: this pins them. Events that carry a whole canonical document (RequisitionCreated,
 * PurchaseOrderIssued, ApVoucherPosted) follow it by design and are not pinned.
 */
const PINNED: Record<string, string> = {
  // #12: + the optional onBehalfOf (the approver a deciding client asserts; approvedBy is the client).
  RequisitionApprovedSchema: 'f4d186afd4db4477',
  RequisitionRejectedSchema: '3c21e3adf8a7929b',
  PurchaseOrderAcknowledgedSchema: '6794c079cf822d93',
  ShipmentNotifiedSchema: '5c7531ac20f2f4a5',
  GoodsReceivedSchema: '894f14af14e17b5e',
  InvoiceReceivedSchema: '3b9beb5a4e96050b',
  InvoiceMatchedSchema: '3135c583da0c9be8',
  InvoiceExceptionRaisedSchema: '6f4aeff07c2b47cd',
  PurchaseOrderClosedSchema: '3be8ef721fb16bcd',
  // Additive (v1 consumers unaffected): alert type ACKNOWLEDGMENT_PRICE_CHANGE and the optional `priceChanges`.
  ProcurementAlertRaisedSchema: '75379fb43820e0e7',
};

describe('procurement event schemas', () => {
  it('keep the JSON Schema each event had before its fields were derived from the canonical schemas', () => {
    const actual = Object.fromEntries(
      Object.keys(PINNED).map((name) => [name, digestOf((events as unknown as Record<string, z.ZodType>)[name]!)]),
    );
    expect(actual).toStrictEqual(PINNED);
  });

  it('keep the constraints where an event is stricter than the canonical document it copies', () => {
    const matched = events.InvoiceMatchedSchema.shape;
    expect(matched.poNumber.safeParse(undefined).success).toBe(false);
    expect(matched.match.safeParse(undefined).success).toBe(false);
    expect(events.InvoiceExceptionRaisedSchema.shape.reasons.safeParse([]).success).toBe(false);
  });
});
