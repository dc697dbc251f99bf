/**
 * HL7 v2 adapter: DFT^P03 ingest, batch splitting and ACKs. Built on `@medplum/core`'s
 * Hl7Message/Hl7Segment/Hl7Field; see dft-p03.ts for the fields read.
 */
export { parseDftP03, DFT_P03_SOURCE_FORMAT } from './dft-p03';
export type { ParseDftP03Options } from './dft-p03';
export { buildHl7Ack, hl7ErrorFor, CONTROL_ID_REUSED_TEXT } from './ack';
export type { Hl7AckCode, Hl7AckError, Hl7AckResult } from './ack';
export { splitHl7Batch, stripFraming, readHl7Message, formatHl7Location, parseHl7Location, Hl7ErrorCode, HL7_ERROR_TEXT } from './message';
export type { Hl7Location } from './message';
export { hl7DateTimeToIso } from './datetime';
