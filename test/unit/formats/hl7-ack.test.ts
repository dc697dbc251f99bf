import { describe, expect, it } from '@jest/globals';
import { Hl7Message } from '@medplum/core';
import { buildHl7Ack, hl7ErrorFor, parseDftP03 } from '../../../functions/adapters/hl7v2';
import { DataError, MappingError, UnparseableMessageError, ValidationError } from '../../../functions/domain/errors';
import { expectTruthy } from '../../support/expect-narrowing';
import { dft, encounterKey, readFixture, thrown } from './support';

const NOW = new Date('2026-11-26T13:45:30.000Z');

/** Parses an ACK back with medplum: MSH fields, MSA and ERR. */
const readAck = (ack: string) => {
  const message = Hl7Message.parse(ack);
  const msh = message.header;
  const msa = message.getSegment('MSA');
  const err = message.getSegment('ERR');
  return {
    message,
    msh: (n: number) => msh.getField(n)?.toString() ?? '',
    msa: (n: number) => msa?.getField(n)?.toString() ?? '',
    err: err === undefined ? undefined : (n: number) => err.getField(n)?.toString() ?? '',
  };
};

/** The ACK for what parsing `request` throws. */
const ackForFailure = (request: string): string => {
  const verdict = hl7ErrorFor(thrown(() => parseDftP03(request, { encounterKey })));
  return buildHl7Ack(request, verdict, NOW);
};

describe('buildHl7Ack', () => {
  it('answers AA with sender and receiver swapped, ACK^P03^ACK, a new control id and the request version', () => {
    const request = dft({ controlId: 'NMC-7781', version: '2.5.1' });
    const ack = readAck(buildHl7Ack(request, { code: 'AA' }, NOW));
    expect([ack.msh(3), ack.msh(4), ack.msh(5), ack.msh(6)]).toStrictEqual(['HEM', 'HEM', 'EPIC', 'NMC']);
    expect(ack.msh(7)).toBe('20261126134530+0000');
    expect(ack.msh(9)).toBe('ACK^P03^ACK');
    expect(ack.msh(10)).toMatch(/^[0-9a-f]{20}$/);
    expect(ack.msh(10)).not.toBe('NMC-7781');
    expect(ack.msh(11)).toBe('P');
    expect(ack.msh(12)).toBe('2.5.1');
    expect([ack.msa(1), ack.msa(2), ack.msa(3)]).toStrictEqual(['AA', 'NMC-7781', 'OK']);
    expect(ack.err).toBe(undefined);
  });

  it('gives every ACK its own control id', () => {
    const request = dft();
    const ids = new Set(Array.from({ length: 20 }, () => readAck(buildHl7Ack(request, { code: 'AA' }, NOW)).msh(10)));
    expect(ids.size).toBe(20);
  });

  it('terminates every segment, the last included, with CR only', () => {
    const ack = buildHl7Ack(dft(), { code: 'AE', error: { message: 'x', location: 'FT1[1]-10', hl7ErrorCode: '102' } }, NOW);
    expect(ack.includes('\n')).toBe(false);
    expect(ack.endsWith('\r')).toBeTruthy();
    expect(ack.slice(0, -1).split('\r').map((s) => s.slice(0, 3))).toStrictEqual(['MSH', 'MSA', 'ERR']);
  });

  it('reports AE for v2.5+ in ERR-2 (location), ERR-3 (table 0357), ERR-4 (severity) and ERR-8 (message)', () => {
    const ack = readAck(ackForFailure(readFixture('hl7/dft-p03-bad-qty.hl7').replace('|2.3\r', '|2.5.1\r')));
    expect([ack.msa(1), ack.msa(2)]).toStrictEqual(['AE', 'NMC-DFT-0007']);
    expectTruthy(ack.err);
    expect(ack.err(1)).toBe('');
    expect(ack.err(2)).toBe('FT1^2^10');
    expect(ack.err(3)).toBe('102^Data type error^HL70357');
    expect(ack.err(4)).toBe('E');
    expect(ack.err(8)).toBe('FT1[2]-10: quantity is not a number');
  });

  it('reports AE for v2.3/v2.4 in ERR-1 as segment^sequence^field^code&text&HL70357', () => {
    for (const version of ['2.3', '2.3.1', '2.4']) {
      const request = readFixture('hl7/dft-p03-bad-qty.hl7').replace('|2.3\r', `|${version}\r`);
      const ack = readAck(ackForFailure(request));
      expect(ack.msh(12)).toBe(version);
      expect(ack.err?.(1)).toBe('FT1^2^10^102&Data type error&HL70357');
      expect(ack.err?.(2)).toBe('');
    }
  });

  it('names MSH-9 with code 200 for another message type', () => {
    const ack = readAck(ackForFailure(dft({ messageType: 'ADT^A01^ADT_A01' })));
    expect(ack.msa(1)).toBe('AE');
    expect(ack.err?.(2)).toBe('MSH^1^9');
    expect(ack.err?.(3)).toBe('200^Unsupported message type^HL70357');
    expect(ack.msh(9)).toBe('ACK^A01^ACK');
  });

  it('answers in the request’s own delimiters', () => {
    const request = readFixture('hl7/dft-p03-v28-custom-delims.hl7').replace('#CG#CHG-100006', '#XX#CHG-100006');
    const raw = ackForFailure(request);
    expect(raw.startsWith('MSH#~!@$#HEM#HEM#EPIC#NMC#')).toBeTruthy();
    const ack = readAck(raw);
    expect(ack.msh(9)).toBe('ACK~P03~ACK');
    expect([ack.msa(1), ack.msa(2)]).toStrictEqual(['AE', 'NMC-DFT-0003']);
    expect(ack.err?.(2)).toBe('FT1~2~6');
    expect(ack.err?.(3)).toBe('103~Table value not found~HL70357');
  });

  it('escapes delimiters inside the error text', () => {
    const ack = readAck(buildHl7Ack(dft(), { code: 'AE', error: { message: 'a|b^c~d&e\\f', hl7ErrorCode: '207' } }, NOW));
    expect(ack.msa(3)).toBe('a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f');
    expect(ack.err?.(2)).toBe('');
    expect(ack.err?.(3)).toBe('207^Application internal error^HL70357');
  });

  it('builds a minimal AR with default delimiters when the request is unreadable', () => {
    for (const request of ['this is not hl7', undefined, '']) {
      const verdict = hl7ErrorFor(new UnparseableMessageError('not an HL7 v2 message', { location: 'MSH' }));
      const raw = buildHl7Ack(request, verdict, NOW);
      expect(raw.startsWith('MSH|^~\\&|HEM|')).toBeTruthy();
      const ack = readAck(raw);
      expect(ack.msh(9)).toBe('ACK^P03^ACK');
      expect(ack.msh(12)).toBe('2.5.1');
      expect([ack.msa(1), ack.msa(2)]).toStrictEqual(['AR', '']);
      expect(ack.err?.(3)).toBe('100^Segment sequence error^HL70357');
    }
  });

  it('echoes the processing id (MSH-11) and answers with P when there is none', () => {
    expect(readAck(buildHl7Ack(dft().replace('|P|2.5.1', '|T|2.5.1'), { code: 'AA' }, NOW)).msh(11)).toBe('T');
    expect(readAck(buildHl7Ack(dft().replace('|P|2.5.1', '||2.5.1'), { code: 'AA' }, NOW)).msh(11)).toBe('P');
  });
});

describe('hl7ErrorFor', () => {
  it('maps an unparseable message to AR', () => {
    const verdict = hl7ErrorFor(thrown(() => parseDftP03('garbage', { encounterKey })));
    expect(verdict.code).toBe('AR');
    expect(verdict.error.hl7ErrorCode).toBe('100');
  });

  it('maps a DataError to AE with its location and table 0357 code', () => {
    const verdict = hl7ErrorFor(thrown(() => parseDftP03(dft({ controlId: '' }), { encounterKey })));
    expect(verdict).toStrictEqual({ code: 'AE', error: { message: 'MSH-10: message control id is missing', location: 'MSH-10', hl7ErrorCode: '101' } });
  });

  it('maps another ValidationError to AE 102 and keeps its location', () => {
    expect(hl7ErrorFor(new ValidationError('bad', { location: 'PV1-3' }))).toStrictEqual({ code: 'AE', error: { message: 'bad', location: 'PV1-3', hl7ErrorCode: '102' } });
    expect(hl7ErrorFor(new DataError('bad', { details: { hl7ErrorCode: 'nonsense' } })).error.hl7ErrorCode).toBe('102');
  });

  it('maps anything else to AE 207 without its internals', () => {
    for (const e of [new Error('connection to 10.0.0.7 refused for MRN4417890'), new MappingError('no crosswalk', ['UNKNOWN_CHARGE_CODE']), 'a string', undefined]) {
      const verdict = hl7ErrorFor(e);
      expect(verdict).toStrictEqual({ code: 'AE', error: { message: 'application internal error', hl7ErrorCode: '207' } });
    }
  });
});
