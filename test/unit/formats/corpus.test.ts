/**
 * The public sample corpus (../shared/fixtures: real HL7 v2 and FHIR samples from HAPI, Medplum,
 * CDC, node-hl7-complete, the FHIR R4 examples). Every DFT^P03 must become a valid UsageMessage,
 * every other message type a DataError on MSH-9, every FHIR sample a result or a ValidationError —
 * never a crash — and no value of a patient segment/resource may appear in any output or error.
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Hl7Message } from '@medplum/core';
import { UsageMessageSchema } from '../../../contracts/usage';
import { parseFhirUsage } from '../../../functions/adapters/fhir';
import { buildHl7Ack, hl7ErrorFor, parseDftP03, splitHl7Batch } from '../../../functions/adapters/hl7v2';
import { DataError, ValidationError } from '../../../functions/domain/errors';
import { expectInstanceOf } from '../../support/expect-narrowing';
import { encounterKey, sharedFixturesDir, sharedFixturesPresent } from './support';

const PHI_SEGMENTS = new Set(['PID', 'PD1', 'NK1', 'GT1', 'IN1', 'IN2', 'ACC']);
/** Shorter values (sex codes, set ids, "USA") are not identifying and occur everywhere. */
const MIN_PHI_LENGTH = 4;

/** Every component/subcomponent value of the patient segments of one message, minus what MSH also says. */
const hl7PhiValues = (text: string): string[] => {
  const message = Hl7Message.parse(text);
  const { subcomponentSeparator } = message.context;
  const msh = message.header.toString().toUpperCase();
  const values = new Set<string>();
  for (const segment of message.segments) {
    if (!PHI_SEGMENTS.has(segment.name)) continue;
    for (const field of segment.fields.slice(1)) {
      for (const repetition of field.components) {
        for (const component of repetition) {
          for (const value of [component, ...component.split(subcomponentSeparator)]) {
            const v = value.trim();
            if (v.length >= MIN_PHI_LENGTH && !msh.includes(v.toUpperCase())) values.add(v);
          }
        }
      }
    }
  }
  return [...values];
};

/** Every string under the patient-identifying elements of a FHIR body. */
const fhirPhiValues = (body: unknown): string[] => {
  const values = new Set<string>();
  const PHI_KEYS = new Set(['subject', 'patient', 'performer', 'note', 'text', 'name', 'address', 'telecom', 'birthDate', 'enterer', 'requester']);
  const collect = (node: unknown): void => {
    if (typeof node === 'string') {
      if (node.trim().length >= MIN_PHI_LENGTH) values.add(node.trim());
    } else if (Array.isArray(node)) node.forEach(collect);
    else if (node !== null && typeof node === 'object') Object.values(node).forEach(collect);
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record['resourceType'] === 'Patient') collect(record);
      for (const [key, value] of Object.entries(record)) (PHI_KEYS.has(key) ? collect : walk)(value);
    }
  };
  walk(body);
  return [...values];
};

const assertNoPhi = (phi: readonly string[], outputs: readonly string[], where: string): void => {
  const haystack = outputs.join('\n').toUpperCase();
  // A leak is reported by length only, so the failure message does not print the patient value.
  const leaks = phi.filter((value) => haystack.includes(value.toUpperCase())).map((value) => `${where} leaks a patient value (${value.length} chars)`);
  expect(leaks).toStrictEqual([]);
};

const messageTypeOf = (text: string): string => {
  const msh = Hl7Message.parse(text).header;
  return `${msh.getComponent(9, 1)}^${msh.getComponent(9, 2)}`;
};

if (!sharedFixturesPresent) {
  describe('public sample corpus', () => {
    it('is not beside this checkout, so its checks are not run here', () => {
      console.log(`note: ${sharedFixturesDir} is absent; the corpus checks run where CI lays it beside the checkout`);
      expect(sharedFixturesPresent).toBe(false);
    });
  });
} else {
  const hl7Dir = path.join(sharedFixturesDir, 'hl7v2');
  const fhirDir = path.join(sharedFixturesDir, 'fhir');
  const hl7Files = readdirSync(hl7Dir).filter((f) => f.endsWith('.hl7')).sort();
  const fhirFiles = readdirSync(fhirDir).filter((f) => f.endsWith('.json')).sort();

  describe('public sample corpus — HL7 v2', () => {
    it('holds DFT^P03 samples and other message types to check against', () => {
      const types = hl7Files.flatMap((f) => splitHl7Batch(readFileSync(path.join(hl7Dir, f), 'utf8')).map(messageTypeOf));
      expect(types.filter((t) => t === 'DFT^P03').length >= 4).toBeTruthy();
      expect(types.filter((t) => t !== 'DFT^P03').length >= 5).toBeTruthy();
    });

    it('finds patient values to look for in every message with a PID segment, and would catch a leak', () => {
      for (const file of hl7Files) {
        for (const text of splitHl7Batch(readFileSync(path.join(hl7Dir, file), 'utf8'))) {
          if (/(^|\r)PID./.test(text)) expect(hl7PhiValues(text).length > 0).toBeTruthy();
        }
      }
      const mieweb = splitHl7Batch(readFileSync(path.join(hl7Dir, 'nhc_mieweb_dft_p03_two_messages_v25.hl7'), 'utf8'))[0] as string;
      expect(hl7PhiValues(mieweb).includes('Daffy')).toBeTruthy();
      expect(() => assertNoPhi(['Daffy'], ['{"note":"daffy duck"}'], 'control')).toThrow();
    });

    it('splits the MIE WebChart file into its two DFT^P03 messages', () => {
      const messages = splitHl7Batch(readFileSync(path.join(hl7Dir, 'nhc_mieweb_dft_p03_two_messages_v25.hl7'), 'utf8'));
      expect(messages.length).toBe(2);
      expect(messages.map((m) => parseDftP03(m, { encounterKey }).messageControlId)).toStrictEqual(['DSD1184185250', 'DSD1184189125']);
    });

    it('splits the 13-message HAPI lab file (CR separators, blank lines)', () => {
      expect(splitHl7Batch(readFileSync(path.join(hl7Dir, 'hapi_oml_o21_oul_r22_multi_message_cr.hl7'), 'utf8')).length).toBe(13);
    });

    for (const file of hl7Files) {
      it(`${file}: DFT^P03 → valid UsageMessage, other types → DataError on MSH-9, no patient value in any output`, () => {
        const messages = splitHl7Batch(readFileSync(path.join(hl7Dir, file), 'utf8'));
        expect(messages.length > 0).toBeTruthy();
        for (const [index, text] of messages.entries()) {
          const where = `${file}#${index + 1}`;
          const phi = hl7PhiValues(text);
          if (messageTypeOf(text) === 'DFT^P03') {
            const usage = parseDftP03(text, { encounterKey });
            expect(UsageMessageSchema.safeParse(usage).success).toBeTruthy();
            assertNoPhi(phi, [JSON.stringify(usage), buildHl7Ack(text, { code: 'AA' }, new Date())], where);
          } else {
            let error: unknown;
            try {
              parseDftP03(text, { encounterKey });
            } catch (e) {
              error = e;
            }
            expectInstanceOf(error, DataError);
            expect(error.location).toBe('MSH-9');
            assertNoPhi(phi, [error.message, JSON.stringify(error), buildHl7Ack(text, hl7ErrorFor(error), new Date())], where);
          }
        }
      });
    }

    it('reads the swapped-delimiter HAPI sample (MSH^~|\\&) far enough to answer its MSH-9 in its own delimiters', () => {
      const text = readFileSync(path.join(hl7Dir, 'hapi_adt_a24_swapped_delimiters.hl7'), 'utf8');
      let error: unknown;
      try {
        parseDftP03(text, { encounterKey });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataError);
      const ack = buildHl7Ack(text, hl7ErrorFor(error), new Date());
      expect(ack.startsWith('MSH^~|\\&^RECEIVING^200^SENDING^200M^')).toBeTruthy();
      expect(Hl7Message.parse(ack).getSegment('MSA')?.getField(2)?.toString()).toBe('2003582144');
    });
  });

  describe('public sample corpus — FHIR R4', () => {
    for (const file of fhirFiles) {
      it(`${file}: usage messages or a ValidationError, never a crash, no patient value in any output`, () => {
        const body: unknown = JSON.parse(readFileSync(path.join(fhirDir, file), 'utf8'));
        const phi = fhirPhiValues(body);
        try {
          const messages = parseFhirUsage(body, { encounterKey, sourceSystem: 'EPIC', facilityCode: 'NMC' });
          expect(messages.length > 0).toBeTruthy();
          for (const m of messages) expect(UsageMessageSchema.safeParse(m).success).toBeTruthy();
          assertNoPhi(phi, [JSON.stringify(messages)], file);
        } catch (e) {
          expectInstanceOf(e, ValidationError);
          assertNoPhi(phi, [e.message, JSON.stringify(e)], file);
        }
      });
    }

    it('turns the R4 ChargeItem and SupplyDelivery examples into usage messages', () => {
      const read = (f: string): unknown => JSON.parse(readFileSync(path.join(fhirDir, f), 'utf8'));
      const options = { encounterKey, sourceSystem: 'EPIC', facilityCode: 'NMC' };
      expect(parseFhirUsage(read('r4ex_ChargeItem-example.json'), options)[0]?.lines[0]?.item.value).toBe('01510');
      expect(parseFhirUsage(read('r4ex_SupplyDelivery-simpledelivery.json'), options)[0]?.lines[0]?.quantity).toBe(10);
    });
  });
}
