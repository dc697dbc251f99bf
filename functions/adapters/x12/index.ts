/**
 * X12 EDI adapter (pure code, no I/O): `parseX12` reads any payload of interchanges,
 * `acknowledge` validates it, writes the TA1/999/997 answers and hands back the canonical
 * documents of the accepted 855/856/810 sets, `build850` writes HEM's 005010 purchase orders.
 */
export { parseX12, elementAt, textAt, componentsAt, repetitionsAt, numberAt } from './parser';
export type {
  X12Delimiters,
  X12Segment,
  X12Finding,
  X12FindingLevel,
  X12InterchangeHeader,
  X12TransactionSet,
  X12FunctionalGroup,
  X12Interchange,
  X12ParseResult,
} from './types';
export { acknowledge, formatX12Location } from './acknowledge';
export type {
  AcknowledgeOptions,
  AcknowledgeResult,
  AcceptedSet,
  RejectedSet,
  RejectionReason,
  ControlNumberSource,
  SupplierResolver,
  PurchaseOrderOwnership,
  X12PartyIds,
  X12SetIdentity,
  X12AcceptedDocuments,
  X12InterchangeOutcome,
} from './acknowledge';
export { read855, read856, read810, read850, readFunctionalAck, productIds, LINE_STATUS } from './readers';
export type { X12ReadContext, X12ReadResult, ProductIds, PurchaseOrder850, FunctionalAckSummary } from './readers';
export {
  MAX_X12_TRANSACTION_SETS,
  MAX_X12_PAYLOAD_BYTES,
  PURCHASE_ORDER_REFERENCE,
  interchangesWithinSetLimit,
  purchaseOrderReferences,
  purchaseOrderFindings,
} from './partner-rules';
export { validateSet, validateSegment } from './validate';
export { setSpec, segmentSpec } from './dictionary';
export type { SetSpec, SegmentSpec, ElementSpec } from './dictionary';
export { build850, controlNumbersOf850, formatX12Decimal } from './build-850';
export type { Build850Parties, Build850Options, X12EnvelopeControl } from './build-850';
export { formatX12Date, formatX12Time, x12DateToIso, isoDateToX12, isValidX12Time } from './datetime';
export type { X12DateFormat, X12TimeFormat } from './datetime';
export { InterchangeNote, GroupError, SetError, SegmentError, ElementError } from './codes';
export { DEFAULT_DELIMITERS } from './writer';
