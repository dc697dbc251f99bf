import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hl7Message } from '@medplum/core';
import { buildHl7Ack, hl7ErrorFor, parseDftP03 } from '../../../functions/adapters/hl7v2';
import { DataError, MappingError, UnparseableMessageError, ValidationError } from '../../../functions/domain/errors';
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
    assert.deepEqual(
      [ack.msh(3), ack.msh(4), ack.msh(5), ack.msh(6)],
      ['HEM', 'HEM', 'EPIC', 'NMC'],
    );
    assert.equal(ack.msh(7), '20261126134530+0000');
    assert.equal(ack.msh(9), 'ACK^P03^ACK');
    assert.match(ack.msh(10), /^[0-9a-f]{20}$/);
    assert.notEqual(ack.msh(10), 'NMC-7781');
    assert.equal(ack.msh(11), 'P');
    assert.equal(ack.msh(12), '2.5.1');
    assert.deepEqual([ack.msa(1), ack.msa(2), ack.msa(3)], ['AA', 'NMC-7781', 'OK']);
    assert.equal(ack.err, undefined);
  });

  it('gives every ACK its own control id', () => {
    const request = dft();
    const ids = new Set(Array.from({ length: 20 }, () => readAck(buildHl7Ack(request, { code: 'AA' }, NOW)).msh(10)));
    assert.equal(ids.size, 20);
  });

  it('terminates every segment, the last included, with CR only', () => {
    const ack = buildHl7Ack(dft(), { code: 'AE', error: { message: 'x', location: 'FT1[1]-10', hl7ErrorCode: '102' } }, NOW);
    assert.equal(ack.includes('\n'), false);
    assert.ok(ack.endsWith('\r'));
    assert.deepEqual(
      ack.slice(0, -1).split('\r').map((s) => s.slice(0, 3)),
      ['MSH', 'MSA', 'ERR'],
    );
  });

  it('reports AE for v2.5+ in ERR-2 (location), ERR-3 (table 0357), ERR-4 (severity) and ERR-8 (message)', () => {
    const ack = readAck(ackForFailure(readFixture('hl7/dft-p03-bad-qty.hl7').replace('|2.3\r', '|2.5.1\r')));
    assert.deepEqual([ack.msa(1), ack.msa(2)], ['AE', 'NMC-DFT-0007']);
    assert.ok(ack.err !== undefined);
    assert.equal(ack.err(1), '');
    assert.equal(ack.err(2), 'FT1^2^10');
    assert.equal(ack.err(3), '102^Data type error^HL70357');
    assert.equal(ack.err(4), 'E');
    assert.equal(ack.err(8), 'FT1[2]-10: quantity is not a number');
  });

  it('reports AE for v2.3/v2.4 in ERR-1 as segment^sequence^field^code&text&HL70357', () => {
    for (const version of ['2.3', '2.3.1', '2.4']) {
      const request = readFixture('hl7/dft-p03-bad-qty.hl7').replace('|2.3\r', `|${version}\r`);
      const ack = readAck(ackForFailure(request));
      assert.equal(ack.msh(12), version);
      assert.equal(ack.err?.(1), 'FT1^2^10^102&Data type error&HL70357');
      assert.equal(ack.err?.(2), '');
    }
  });

  it('names MSH-9 with code 200 for another message type', () => {
    const ack = readAck(ackForFailure(dft({ messageType: 'ADT^A01^ADT_A01' })));
    assert.equal(ack.msa(1), 'AE');
    assert.equal(ack.err?.(2), 'MSH^1^9');
    assert.equal(ack.err?.(3), '200^Unsupported message type^HL70357');
    assert.equal(ack.msh(9), 'ACK^A01^ACK');
  });

  it('answers in the request’s own delimiters', () => {
    const request = readFixture('hl7/dft-p03-v28-custom-delims.hl7').replace('#CG#CHG-100006', '#XX#CHG-100006');
    const raw = ackForFailure(request);
    assert.ok(raw.startsWith('MSH#~!@$#HEM#HEM#EPIC#NMC#'), raw);
    const ack = readAck(raw);
    assert.equal(ack.msh(9), 'ACK~P03~ACK');
    assert.deepEqual([ack.msa(1), ack.msa(2)], ['AE', 'NMC-DFT-0003']);
    assert.equal(ack.err?.(2), 'FT1~2~6');
    assert.equal(ack.err?.(3), '103~Table value not found~HL70357');
  });

  it('escapes delimiters inside the error text', () => {
    const ack = readAck(buildHl7Ack(dft(), { code: 'AE', error: { message: 'a|b^c~d&e\\f', hl7ErrorCode: '207' } }, NOW));
    assert.equal(ack.msa(3), 'a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f');
    assert.equal(ack.err?.(2), '');
    assert.equal(ack.err?.(3), '207^Application internal error^HL70357');
  });

  it('builds a minimal AR with default delimiters when the request is unreadable', () => {
    for (const request of ['this is not hl7', undefined, '']) {
      const verdict = hl7ErrorFor(new UnparseableMessageError('not an HL7 v2 message', { location: 'MSH' }));
      const raw = buildHl7Ack(request, verdict, NOW);
      assert.ok(raw.startsWith('MSH|^~\\&|HEM|'), raw);
      const ack = readAck(raw);
      assert.equal(ack.msh(9), 'ACK^P03^ACK');
      assert.equal(ack.msh(12), '2.5.1');
      assert.deepEqual([ack.msa(1), ack.msa(2)], ['AR', '']);
      assert.equal(ack.err?.(3), '100^Segment sequence error^HL70357');
    }
  });

  it('echoes the processing id (MSH-11) and answers with P when there is none', () => {
    assert.equal(readAck(buildHl7Ack(dft().replace('|P|2.5.1', '|T|2.5.1'), { code: 'AA' }, NOW)).msh(11), 'T');
    assert.equal(readAck(buildHl7Ack(dft().replace('|P|2.5.1', '||2.5.1'), { code: 'AA' }, NOW)).msh(11), 'P');
  });
});

describe('hl7ErrorFor', () => {
  it('maps an unparseable message to AR', () => {
    const verdict = hl7ErrorFor(thrown(() => parseDftP03('garbage', { encounterKey })));
    assert.equal(verdict.code, 'AR');
    assert.equal(verdict.error.hl7ErrorCode, '100');
  });

  it('maps a DataError to AE with its location and table 0357 code', () => {
    const verdict = hl7ErrorFor(thrown(() => parseDftP03(dft({ controlId: '' }), { encounterKey })));
    assert.deepEqual(verdict, { code: 'AE', error: { message: 'MSH-10: message control id is missing', location: 'MSH-10', hl7ErrorCode: '101' } });
  });

  it('maps another ValidationError to AE 102 and keeps its location', () => {
    assert.deepEqual(hl7ErrorFor(new ValidationError('bad', { location: 'PV1-3' })), { code: 'AE', error: { message: 'bad', location: 'PV1-3', hl7ErrorCode: '102' } });
    assert.equal(hl7ErrorFor(new DataError('bad', { details: { hl7ErrorCode: 'nonsense' } })).error.hl7ErrorCode, '102');
  });

  it('maps anything else to AE 207 without its internals', () => {
    for (const e of [new Error('connection to 10.0.0.7 refused for MRN4417890'), new MappingError('no crosswalk', ['UNKNOWN_CHARGE_CODE']), 'a string', undefined]) {
      const verdict = hl7ErrorFor(e);
      assert.deepEqual(verdict, { code: 'AE', error: { message: 'application internal error', hl7ErrorCode: '207' } });
    }
  });
});
