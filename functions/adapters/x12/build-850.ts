/**
 * The outbound 850 Purchase Order, 005010: what HEM sends a supplier for a canonical PurchaseOrder.
 *
 * ISA 00501 with repetition separator `^`, component separator `:`, terminator `~` and a newline;
 * GS PO / 005010; ST 850; BEG 00 SA (original, stand-alone) with the PO number and order date;
 * CUR when not USD; REF*DP cost center; PER*BD buyer contact; N1 ST (GLN, qualifier UL), BT (GLN UL
 * or DUNS 1) and SE (DUNS 1, else GLN UL); one PO1 per line with VN supplier catalog number,
 * UK GTIN-14, EN GTIN-13 when the GTIN has a leading zero, IN HEM item id, then PID*F description;
 * CTT line count and quantity hash total. SE/GE/IEA counts are computed by the writer.
 */
import { PurchaseOrderSchema, SupplierSchema } from '../../../contracts/procurement';
import type { PurchaseOrder, Supplier, X12ControlNumbers } from '../../../contracts/procurement';
import { ValidationError } from '../../domain/errors';
import { isoDateToX12 } from './datetime';
import { DEFAULT_DELIMITERS, cleanValue, padInterchangeControlNumber, writeInterchange } from './writer';
import type { SegmentWriter } from './writer';

/** The parties of an 850. */
export interface Build850Parties {
  /** The hospital as buyer: its N1*BT ids and its ISA/GS identity. */
  buyer: { name: string; gln?: string; duns?: string; isaQualifier: string; isaId: string; gsId: string };
  supplier: Supplier;
  /** The dock the goods go to; its GLN must be the PO's `shipToGln`. */
  shipTo: { name: string; gln: string };
  contact?: { name: string; phone?: string; email?: string };
}

/** Control numbers of one outbound 850: ISA13 (1–9 digits), GS06 (1–9 digits), ST02 (4–9 characters). */
export interface X12EnvelopeControl {
  interchange: string;
  group: string;
  transactionSet: string;
}

/** Options of {@link build850}. */
export interface Build850Options {
  /** ISA15: `P` production (default) or `T` test. */
  usage?: 'P' | 'T';
}

/** Characters an identifier HEM sends cannot contain: no X12 escape exists for them. */
const DELIMITER_CHARS = /[*:^~\r\n]/;

const identifier = (value: string, what: string, location: string): string => {
  if (DELIMITER_CHARS.test(value)) throw new ValidationError(`${what} contains an X12 delimiter (* : ^ ~ or a line break)`, { location });
  return value;
};

/**
 * Writes a number as an X12 R value: at most 6 decimals, no trailing zeros, at most `maxDigits`
 * digits. Throws a ValidationError when it does not fit (never silently truncates an amount).
 */
export const formatX12Decimal = (value: number, maxDigits: number, location: string): string => {
  if (!Number.isFinite(value)) throw new ValidationError('amount is not a finite number', { location });
  let text = value.toFixed(6);
  if (text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
  if (text === '-0') text = '0';
  const digits = text.replace(/[-.]/g, '').length;
  if (digits > maxDigits) throw new ValidationError(`amount has more than ${maxDigits} digits`, { location });
  return text;
};

/** CTT02 hash total: the sum of the quantities, high-order digits dropped beyond 10 digits as X12 says. */
const hashTotal = (quantities: number[]): string => {
  const sum = quantities.reduce((a, b) => a + b, 0);
  let text = sum.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  let [whole, fraction] = text.split('.') as [string, string | undefined];
  while (whole.length + (fraction?.length ?? 0) > 10 && whole.length > 1) whole = whole.slice(1);
  if (fraction !== undefined && whole.length + fraction.length > 10) fraction = fraction.slice(0, 10 - whole.length);
  text = fraction === undefined || fraction === '' ? whole : `${whole}.${fraction}`;
  return text.replace(/^0+(?=\d)/, '');
};

/** N1 id qualifier and id: GLN (UL) or DUNS (1), in the order given. */
const partyId = (order: ('gln' | 'duns')[], ids: { gln?: string | undefined; duns?: string | undefined }): [string | undefined, string | undefined] => {
  for (const kind of order) {
    const value = ids[kind];
    if (value !== undefined && value !== '') return [kind === 'gln' ? 'UL' : '1', value];
  }
  return [undefined, undefined];
};

/** The control numbers an 850 built with `control` carries, for `PurchaseOrder.x12`. */
export const controlNumbersOf850 = (parties: Pick<Build850Parties, 'buyer' | 'supplier'>, control: X12EnvelopeControl): X12ControlNumbers => ({
  interchange: padInterchangeControlNumber(control.interchange),
  group: String(Number(control.group)),
  transactionSet: control.transactionSet,
  version: '005010',
  senderId: parties.buyer.isaId,
  receiverId: parties.supplier.x12.isaId,
});

/**
 * Builds the 005010 850 interchange for a purchase order.
 *
 * @param po the canonical purchase order (validated with its schema)
 * @param parties buyer, supplier (its X12 identity addresses the envelope), ship-to dock, contact
 * @param control ISA13 / GS06 / ST02 to use: unique and persisted per partner by the caller
 * @param now the envelope timestamp (UTC)
 * @throws ValidationError when the PO or supplier does not fit its schema, the PO is for another
 *   supplier or dock, an identifier contains a delimiter, or a number does not fit its element
 */
export const build850 = (po: PurchaseOrder, parties: Build850Parties, control: X12EnvelopeControl, now: Date, options: Build850Options = {}): string => {
  const poCheck = PurchaseOrderSchema.safeParse(po);
  if (!poCheck.success) {
    throw new ValidationError('purchase order does not fit the canonical model', { details: { paths: poCheck.error.issues.map((i) => i.path.map(String).join('.')) } });
  }
  const supplierCheck = SupplierSchema.safeParse(parties.supplier);
  if (!supplierCheck.success) {
    throw new ValidationError('supplier does not fit the canonical model', { details: { paths: supplierCheck.error.issues.map((i) => i.path.map(String).join('.')) } });
  }
  const order = poCheck.data;
  const { buyer, supplier, shipTo, contact } = parties;
  if (order.supplierId !== supplier.supplierId) throw new ValidationError('purchase order is for another supplier', { location: 'supplierId' });
  if (order.shipToGln !== shipTo.gln) throw new ValidationError('ship-to GLN differs from the purchase order', { location: 'shipToGln' });
  if (!/^[A-Z0-9]{2}$/.test(buyer.isaQualifier) || buyer.isaId === '' || buyer.isaId.length > 15 || buyer.gsId === '' || buyer.gsId.length > 15) {
    throw new ValidationError('buyer ISA/GS identity is not valid', { location: 'ISA05' });
  }
  identifier(buyer.isaId, 'buyer ISA id', 'ISA06');
  identifier(buyer.gsId, 'buyer GS id', 'GS02');
  identifier(supplier.x12.isaId, 'supplier ISA id', 'ISA08');
  identifier(supplier.x12.gsId, 'supplier GS id', 'GS03');
  identifier(order.poNumber, 'PO number', 'BEG03');
  identifier(order.costCenter, 'cost center', 'REF02');
  order.lines.forEach((line, i) => {
    identifier(line.supplierCatalogNumber, 'supplier catalog number', `PO1[${i + 1}]-07`);
    identifier(line.itemId, 'item id', `PO1[${i + 1}]-13`);
    if (!/^[A-Z0-9]{2}$/.test(line.uom)) throw new ValidationError('unit of measure must be a 2-character X12 code', { location: `PO1[${i + 1}]-03` });
    if (String(line.lineNumber).length > 20) throw new ValidationError('line number longer than 20', { location: `PO1[${i + 1}]-01` });
  });
  for (const [name, location] of [[shipTo.name, 'N1*ST'], [buyer.name, 'N1*BT'], [supplier.name, 'N1*SE']] as const) {
    if (cleanValue(name, DEFAULT_DELIMITERS).trim() === '') throw new ValidationError('party name is blank', { location });
  }
  if (order.currency !== 'USD' && !/^[A-Z]{3}$/.test(order.currency)) throw new ValidationError('currency is not an ISO 4217 code', { location: 'CUR02' });

  const lineCells = order.lines.map((line, i) => ({
    line,
    quantity: formatX12Decimal(line.quantity, 15, `PO1[${i + 1}]-02`),
    price: formatX12Decimal(line.unitPrice, 17, `PO1[${i + 1}]-04`),
  }));

  const body = (w: SegmentWriter): void => {
    w.add('BEG', '00', 'SA', order.poNumber, undefined, isoDateToX12(order.orderDate));
    if (order.currency !== 'USD') w.add('CUR', 'BY', order.currency);
    w.add('REF', 'DP', order.costCenter);
    if (contact !== undefined) {
      const channels: string[] = [];
      if (contact.phone !== undefined && contact.phone !== '') channels.push('TE', contact.phone);
      if (contact.email !== undefined && contact.email !== '') channels.push('EM', contact.email);
      w.add('PER', 'BD', contact.name.slice(0, 60), ...channels);
    }
    w.add('N1', 'ST', shipTo.name.slice(0, 60), 'UL', shipTo.gln);
    w.add('N1', 'BT', buyer.name.slice(0, 60), ...partyId(['gln', 'duns'], buyer));
    w.add('N1', 'SE', supplier.name.slice(0, 60), ...partyId(['duns', 'gln'], supplier));
    for (const { line, quantity, price } of lineCells) {
      const gtin13 = line.gtin.startsWith('0') ? ['EN', line.gtin.slice(1)] : [];
      w.add('PO1', String(line.lineNumber), quantity, line.uom, price, undefined, 'VN', line.supplierCatalogNumber, 'UK', line.gtin, ...gtin13, 'IN', line.itemId);
      const description = cleanValue(line.description, DEFAULT_DELIMITERS).trim().slice(0, 80);
      if (description !== '') w.add('PID', 'F', undefined, undefined, undefined, description);
    }
    w.add('CTT', order.lines.length, hashTotal(order.lines.map((l) => l.quantity)));
  };

  return writeInterchange(
    {
      senderQualifier: buyer.isaQualifier,
      senderId: buyer.isaId,
      receiverQualifier: supplier.x12.isaQualifier,
      receiverId: supplier.x12.isaId,
      version: '00501',
      controlNumber: control.interchange,
      usage: options.usage ?? 'P',
      now,
    },
    [{ functionalId: 'PO', senderId: buyer.gsId, receiverId: supplier.x12.gsId, controlNumber: control.group, version: '005010', sets: [{ id: '850', controlNumber: control.transactionSet, body }] }],
    DEFAULT_DELIMITERS,
  );
};
