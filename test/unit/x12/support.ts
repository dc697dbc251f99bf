/** Shared bits of the X12 tests: fixture paths, the seeded partners, and node-x12 as the independent parser. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { X12Parser } from 'node-x12';
import type { X12Interchange as NodeX12Interchange } from 'node-x12';
import type { Supplier } from '../../../contracts/procurement';
import type { AcknowledgeResult, ControlNumberSource, PurchaseOrderOwnership, SupplierResolver, X12PartyIds } from '../../../functions/adapters/x12';
import { acknowledge, parseX12 } from '../../../functions/adapters/x12';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const x12FixturesDir = path.join(repoRoot, 'test/fixtures/x12');
/** The public sample corpus; CI lays it beside the checkout. */
export const sharedX12Dir = path.resolve(repoRoot, '../shared/fixtures/x12');
export const sharedX12Present = existsSync(sharedX12Dir);

export const readX12Fixture = (name: string): string => readFileSync(path.join(x12FixturesDir, name), 'utf8');

/** HEM as the receiver of supplier interchanges (seeded buyer identity). */
export const HEM_IDS: X12PartyIds = { qualifier: 'ZZ', id: 'HEMHOSPITAL' };

/** Maps ZZ*MEDLINE to the seeded supplier; everyone else is unknown. */
export const resolveMedline: SupplierResolver = (qualifier, id) => (qualifier === 'ZZ' && id === 'MEDLINE' ? 'SUP-MEDLINE' : undefined);

export const NOW = new Date('2026-03-05T10:07:00Z');

/** A control number source counting from `start`, like the persisted per-partner counter. */
export const counter = (start = 1): ControlNumberSource & { issued: string[] } => {
  let n = start - 1;
  const issued: string[] = [];
  return {
    issued,
    next: () => {
      n += 1;
      issued.push(String(n));
      return String(n);
    },
  };
};

/** Every PO is the sender's: the syntax tests look at nothing else. */
export const ownsAnyPurchaseOrder: PurchaseOrderOwnership = () => true;

/**
 * One 5010 interchange (ISA13 `control`) of `count` 810s from Medline on `poNumber`, distinct
 * invoice numbers, built from medline_810_5010.
 */
export const medline810s = (count: number, options: { poNumber?: string; control?: number } = {}): string => {
  const lines = readX12Fixture('medline_810_5010.edi').split('\n').filter((l) => l.trim() !== '');
  const control = String(options.control ?? 4731);
  const isa = (lines[0] ?? '').replace('000004731', control.padStart(9, '0'));
  const gs = (lines[1] ?? '').replace('*4731*', `*${control}*`);
  const sets = Array.from({ length: count }, (_, i) => {
    const st02 = String(i + 1).padStart(4, '0');
    return lines
      .slice(2, -2)
      .map((l) => l.replace('ST*810*0001', `ST*810*${st02}`).replace('SE*17*0001', `SE*17*${st02}`).replace('INV-7781204', `INV-${control}-${i + 1}`).replace('HEM-PO-000123', options.poNumber ?? 'HEM-PO-000123'));
  });
  return [isa, gs, ...sets.flat(), `GE*${count}*${control}~`, `IEA*1*${control.padStart(9, '0')}~`, ''].join('\n');
};

/** parseX12 + acknowledge with the seeded partners (every PO the sender's unless `ownsPurchaseOrder` says otherwise). */
export const ackText = (
  text: string,
  options: { ourIds?: X12PartyIds; resolveSupplier?: SupplierResolver; checkReceiver?: boolean; ownsPurchaseOrder?: PurchaseOrderOwnership } = {},
): AcknowledgeResult =>
  acknowledge(parseX12(text), options.ourIds ?? HEM_IDS, counter(), NOW, {
    resolveSupplier: options.resolveSupplier ?? resolveMedline,
    ownsPurchaseOrder: options.ownsPurchaseOrder ?? ownsAnyPurchaseOrder,
    ...(options.checkReceiver === undefined ? {} : { checkReceiver: options.checkReceiver }),
  });

/** node-x12 in strict mode: throws on any envelope it does not accept. */
export const nodeX12Parse = (text: string): NodeX12Interchange => {
  const parsed = new X12Parser(true).parse(text);
  if (Array.isArray(parsed)) throw new Error(`expected one interchange, node-x12 found ${parsed.length}`);
  return parsed as NodeX12Interchange;
};

/** Segments of every set of a node-x12 interchange, as `[tag, ...values]` rows (ST/SE excluded, as node-x12 keeps them apart). */
export const nodeX12Rows = (interchange: NodeX12Interchange): string[][][] =>
  interchange.functionalGroups.flatMap((g) => g.transactions.map((t) => t.segments.map((s) => [s.tag, ...s.elements.map((e) => e.value)])));

/** The seeded Medline trading partner (local/seed-procurement.ts). */
export const MEDLINE: Supplier = {
  supplierId: 'SUP-MEDLINE',
  name: 'Medline Industries',
  duns: '100200301',
  gln: '0861201000011',
  x12: { isaQualifier: 'ZZ', isaId: 'MEDLINE', gsId: 'MEDLINE' },
  oauthClientId: 'supplier-medline',
};
