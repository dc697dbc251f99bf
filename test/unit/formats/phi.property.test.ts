/**
 * Property: generated PHI (names, MRNs, dates of birth, addresses, phones, SSNs, free text, visit
 * numbers) placed where EHRs put it never reaches a usage message, an error message, an error's
 * details or an ACK — and does not change what the adapters produce.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Hl7Context } from '@medplum/core';
import type { Procedure } from '@medplum/fhirtypes';
import { parseFhirUsage } from '../../../functions/adapters/fhir';
import { buildHl7Ack, hl7ErrorFor, parseDftP03 } from '../../../functions/adapters/hl7v2';
import { escapeHl7 } from '../../../functions/adapters/hl7v2/message';
import { parseUsageRecord } from '../../../functions/adapters/usage-record';
import { HemError } from '../../../functions/domain/errors';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { expectInstanceOf } from '../../support/expect-narrowing';
import { dft, encounterKey, ft1, pv1, readJsonFixture } from './support';

const RUNS = 150;
const context = new Hl7Context();
const esc = (value: string): string => escapeHl7(value, context);

const word = fc.stringMatching(/^[A-Z][a-z]{5,11}$/);
const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`));

/** One patient's worth of identifying data. */
const phiArb = fc.record({
  family: word,
  given: word,
  mrn: digits(8).map((d) => `MRN${d}`),
  dob: fc.date({ min: new Date('1920-01-01T00:00:00Z'), max: new Date('2020-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10).replaceAll('-', '')),
  street: fc.tuple(fc.integer({ min: 10, max: 99999 }), word, fc.constantFrom('St', 'Ave', 'Blvd', 'Ln', 'Ct')).map(([n, w, s]) => `${n} ${w} ${s}`),
  city: word,
  phone: fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a})${b}-${c}`),
  ssn: fc.tuple(digits(3), digits(2), digits(4)).map(([a, b, c]) => `${a}-${b}-${c}`),
  visit: digits(9).map((d) => `V${d}`),
  kin: word,
  doctor: word,
  /** Free text with anything printable, delimiters included (escaped on the way in). */
  note: fc.string({ minLength: 12, maxLength: 60 }).filter((s) => s.trim().length >= 12),
});
type Phi = typeof phiArb extends fc.Arbitrary<infer T> ? T : never;

/** The values that must never come out (the visit number included: only its HMAC may). */
const secrets = (p: Phi): string[] => [p.family, p.given, p.mrn, p.dob, p.street, p.city, p.phone, p.ssn, p.visit, p.kin, p.doctor, p.note.trim()];

const assertAbsent = (p: Phi, outputs: readonly string[]): void => {
  const haystack = outputs.join('\n').toUpperCase();
  for (const secret of secrets(p)) expect(!haystack.includes(secret.toUpperCase())).toBeTruthy();
};

/** A DFT^P03 carrying the PHI in PID, NK1, GT1, IN1, PV1 free text and a Z-segment. */
const dftWithPhi = (p: Phi, overrides: Parameters<typeof dft>[0] = {}): string => {
  const name = `${p.family}^${p.given}`;
  const address = `${p.street}^^${p.city}^MN^55803^USA`;
  return dft({
    pid: `PID|1||${p.mrn}^^^NMC^MR||${name}||${p.dob}|F|||${address}||${p.phone}|||||ACCT${p.mrn}|${p.ssn}`,
    extra: [
      `NK1|1|${p.kin}^${p.given}|SPO^Spouse^HL70063|${address}|${p.phone}`,
      `ZPI|${esc(p.note)}`,
    ],
    pv1: pv1('OR^04^A^NMC', p.visit, { 7: `0471234^${p.doctor}^${p.given}^^^DR`, 17: `0471234^${p.doctor}`, 52: esc(p.note) }),
    ...overrides,
    ft1: (overrides.ft1 ?? [ft1({ 1: '1', 4: '20261126081500', 6: 'CG', 7: 'CHG-100001^Sponge^HEMCHG', 10: '2' })]).concat([
      `GT1|1||${name}||${address}|${p.phone}||${p.dob}|F||SE|${p.ssn}`,
      `IN1|1|BCBS01|60054|BLUE CROSS||||||||||||${name}|01|${p.dob}|${address}|||||||||||||||||${p.ssn}`,
    ]),
  });
};

/** Inputs that make the parser throw, each on a different path. */
const faults: { name: string; overrides: (p: Phi) => Parameters<typeof dft>[0] }[] = [
  { name: 'bad FT1-10', overrides: () => ({ ft1: [ft1({ 1: '1', 6: 'CG', 7: 'CHG-100001', 10: 'many' })] }) },
  { name: 'bad FT1-4', overrides: () => ({ ft1: [ft1({ 1: '1', 4: '2026-11-26', 6: 'CG', 7: 'CHG-100001', 10: '1' })] }) },
  { name: 'payment FT1-6', overrides: () => ({ ft1: [ft1({ 1: '1', 6: 'PY', 7: 'CHG-100001', 10: '1' })] }) },
  { name: 'missing MSH-10', overrides: () => ({ controlId: '' }) },
  { name: 'bad MSH-7', overrides: () => ({ time: '2026-11-26' }) },
  { name: 'other message type', overrides: () => ({ messageType: 'ADT^A08' }) },
  { name: 'unsupported version', overrides: () => ({ version: '2.1' }) },
  { name: 'no FT1', overrides: () => ({ ft1: [] }) },
];

describe('PHI never leaves the HL7 adapter', () => {
  it('drops PID/NK1/GT1/IN1/PV1/Z-segment values and keeps the output unchanged', () => {
    const expected: Partial<ReturnType<typeof parseDftP03>> = parseDftP03(dft(), { encounterKey });
    delete expected.encounterRef;
    fc.assert(
      fc.property(phiArb, (p) => {
        const text = dftWithPhi(p);
        const usage = parseDftP03(text, { encounterKey });
        const { encounterRef: ref, ...rest } = usage;
        expect(rest).toStrictEqual(expected);
        expect(ref).toBe(encounterRef(encounterKey, 'NMC', p.visit));
        assertAbsent(p, [JSON.stringify(usage), buildHl7Ack(text, { code: 'AA' }, new Date())]);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps PHI out of every error message, error detail and ACK', () => {
    fc.assert(
      fc.property(phiArb, fc.constantFrom(...faults), (p, fault) => {
        const text = dftWithPhi(p, fault.overrides(p));
        let error: unknown;
        try {
          parseDftP03(text, { encounterKey });
        } catch (e) {
          error = e;
        }
        expectInstanceOf(error, HemError);
        assertAbsent(p, [error.message, String(error.stack?.split('\n')[0]), JSON.stringify(error), JSON.stringify(error.details), buildHl7Ack(text, hl7ErrorFor(error), new Date())]);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('PHI never leaves the FHIR and canonical JSON adapters', () => {
  /** The Procedure fixture, with the generated PHI wherever FHIR carries patient data. */
  const procedureWithPhi = (p: Phi): Procedure => {
    const body = structuredClone(readJsonFixture('fhir/procedure-used-code.json') as Procedure);
    const name = `${p.given} ${p.family}`;
    body.text = { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${name} ${p.mrn} ${p.dob}</div>` };
    body.contained = [
      {
        resourceType: 'Patient',
        id: 'pat',
        identifier: [{ value: p.mrn }, { system: 'http://hl7.org/fhir/sid/us-ssn', value: p.ssn }],
        name: [{ family: p.family, given: [p.given] }],
        birthDate: `${p.dob.slice(0, 4)}-${p.dob.slice(4, 6)}-${p.dob.slice(6)}`,
        telecom: [{ system: 'phone', value: p.phone }],
        address: [{ line: [p.street], city: p.city }],
      },
    ];
    body.subject = { reference: '#pat', display: name };
    body.performer = [{ actor: { display: `Dr ${p.doctor}` } }];
    body.note = [{ text: p.note }, { text: `${p.kin} called` }];
    body.encounter = { reference: 'Encounter/e1', identifier: { value: p.visit } };
    return body;
  };

  it('drops subject, contained Patient, performer, note and narrative from a Procedure', () => {
    fc.assert(
      fc.property(phiArb, (p) => {
        const [usage] = parseFhirUsage(procedureWithPhi(p), { encounterKey, sourceSystem: 'EPIC', facilityCode: 'NMC' });
        expect(usage?.lines.length).toBe(2);
        expect(usage?.encounterRef).toBe(encounterRef(encounterKey, 'NMC', p.visit));
        assertAbsent(p, [JSON.stringify(usage)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps PHI out of FHIR errors', () => {
    fc.assert(
      fc.property(phiArb, fc.constantFrom('no-used-code', 'bad-date', 'bad-shape', 'not-done'), (p, fault) => {
        const body = procedureWithPhi(p);
        if (fault === 'no-used-code') delete body.usedCode;
        if (fault === 'bad-date') body.performedDateTime = p.dob;
        if (fault === 'bad-shape') (body as unknown as Record<string, unknown>)['usedCode'] = [{ coding: [{ system: 'urn:hem:charge-code', code: 42 }] }];
        if (fault === 'not-done') body.status = 'not-done';
        let error: unknown;
        try {
          parseFhirUsage(body, { encounterKey, sourceSystem: 'EPIC', facilityCode: 'NMC' });
        } catch (e) {
          error = e;
        }
        expectInstanceOf(error, HemError);
        assertAbsent(p, [error.message, JSON.stringify(error), JSON.stringify(error.details)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('turns the canonical visitNumber into encounterRef only, and keeps PHI out of its errors', () => {
    fc.assert(
      fc.property(phiArb, (p) => {
        const record = { ...(readJsonFixture('usage/usage-record.json') as Record<string, unknown>), visitNumber: p.visit };
        const usage = parseUsageRecord(record, { encounterKey });
        assertAbsent(p, [JSON.stringify(usage)]);
        // A PHI value in a field that only accepts codes is refused without being quoted.
        for (const bad of [{ ...record, occurredAt: p.dob }, { ...record, departmentCode: p.note.padEnd(40, 'x') }, { ...record, patient: p.family }]) {
          let error: unknown;
          try {
            parseUsageRecord(bad, { encounterKey });
          } catch (e) {
            error = e;
          }
          expectInstanceOf(error, HemError);
          assertAbsent(p, [error.message, JSON.stringify(error.details)]);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
