/**
 * The public X12 sample corpus (../shared/fixtures/x12: node-x12, StAEDI and stupidedi test files)
 * plus HEM's own Medline fixtures: every file parses and is acknowledged without throwing; every
 * 855/856/810 set becomes canonical documents or a rejection with precise findings; every
 * acknowledgment HEM writes for them is itself valid X12.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { InvoiceSchema, PoAcknowledgmentSchema, ShipNoticeSchema } from '../../../contracts/procurement';
import { acknowledge, parseX12, readFunctionalAck, textAt } from '../../../functions/adapters/x12';
import type { AcknowledgeResult, X12ParseResult } from '../../../functions/adapters/x12';
import { expectTruthy } from '../../support/expect-narrowing';
import { NOW, counter, nodeX12Parse, sharedX12Dir, sharedX12Present, x12FixturesDir } from './support';

interface CorpusFile {
  name: string;
  text: string;
}

const filesIn = (dir: string): CorpusFile[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.edi'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));

if (!sharedX12Present) console.log(`note: ${sharedX12Dir} is absent; the X12 corpus test runs on HEM's own fixtures only`);

const ownFiles = filesIn(x12FixturesDir);
const sharedFiles = sharedX12Present ? filesIn(sharedX12Dir) : [];
const shared = (name: string): CorpusFile => {
  const file = sharedFiles.find((f) => f.name === name);
  expectTruthy(file);
  return file;
};

/** Acknowledges a file as its own receiver would, with every sender known. */
const acknowledgeAsReceiver = (parsed: X12ParseResult): AcknowledgeResult => {
  const first = parsed.interchanges[0];
  return acknowledge(parsed, { qualifier: first?.header.receiverQualifier ?? 'ZZ', id: first?.header.receiverId ?? 'HEM' }, counter(), NOW, { resolveSupplier: () => 'SUP-CORPUS', ownsPurchaseOrder: () => true });
};

const SUPPORTED = new Set(['855', '856', '810']);

/**
 * The sample with every GS02 set to its ISA06. HEM rejects a group whose application sender is not
 * the interchange sender (partner trust); the mapping checks look past that on samples that differ.
 */
const withGroupSenderOfInterchange = (text: string): string => {
  const element = text.charAt(3);
  const terminator = text.charAt(105);
  const isa06 = (text.split(element)[6] ?? '').trim();
  return text
    .split(terminator)
    .map((segment) => {
      const lead = /^\s*/.exec(segment)?.[0] ?? '';
      const body = segment.slice(lead.length);
      if (!body.startsWith(`GS${element}`)) return segment;
      const elements = body.split(element);
      elements[2] = isa06;
      return `${lead}${elements.join(element)}`;
    })
    .join(terminator);
};

describe('X12 corpus', () => {
  it(`parses and acknowledges every file without throwing (${ownFiles.length} own, ${sharedFiles.length} shared)`, () => {
    expect(ownFiles.length >= 10).toBeTruthy();
    for (const { text } of [...ownFiles, ...sharedFiles]) {
      const parsed = parseX12(text);
      expect(parsed.interchanges.length >= 1).toBeTruthy();
      const result = acknowledgeAsReceiver(parsed);
      const sets = parsed.interchanges.flatMap((i) => i.groups.flatMap((g) => g.sets));
      expect(result.accepted.length + result.rejected.length).toBe(sets.length);
      for (const accepted of result.accepted) {
        for (const doc of accepted.documents) {
          if (accepted.kind === 'PoAcknowledgment') PoAcknowledgmentSchema.parse(doc);
          if (accepted.kind === 'ShipNotice') ShipNoticeSchema.parse(doc);
          if (accepted.kind === 'Invoice') InvoiceSchema.parse(doc);
        }
        if (SUPPORTED.has(accepted.transactionSetId)) expect(accepted.documents.length >= 1).toBeTruthy();
      }
      for (const rejected of result.rejected) {
        expect(rejected.findings.length > 0).toBeTruthy();
        expect(rejected.note.length > 0).toBeTruthy();
        if (rejected.reason === 'SYNTAX') expect(rejected.findings.some((f) => f.segmentId !== undefined && f.segmentPosition !== undefined)).toBeTruthy();
      }
      for (const ack of result.functionalAcks) {
        const reparsed = parseX12(ack);
        expect(reparsed.interchanges.flatMap((i) => [...i.findings, ...i.groups.flatMap((g) => [...g.findings, ...g.sets.flatMap((s) => s.findings)])])).toStrictEqual([]);
        nodeX12Parse(ack);
      }
    }
  });

  // The public samples, when CI laid them beside the checkout.
  if (sharedX12Present) {
    it('accepts the 4060 856 whose ISA11 "-" also occurs in data (REF*BM*999999-001)', () => {
      const file = shared('nodex12_856_4060_isa11_dash.edi');
      const parsed = parseX12(file.text);
      const set = parsed.interchanges[0]?.groups[0]?.sets[0];
      const ref = set?.segments.find((s) => s.id === 'REF' && textAt(s, 1) === 'BM');
      expectTruthy(ref);
      expect(textAt(ref, 2)).toBe('999999-001');
      const result = acknowledgeAsReceiver(parsed);
      const notice = result.accepted[0];
      expect(notice?.kind).toBe('ShipNotice');
      expect(notice?.documents.map((d) => ('shipmentId' in d ? [d.shipmentId, d.poNumber, d.lines.length] : []))).toStrictEqual([['829716', '99999817', 2]]);
    });

    it('reads the two-interchange 850 file as two interchanges with the same control numbers', () => {
      const file = shared('nodex12_850_two_interchanges.edi');
      const parsed = parseX12(file.text);
      expect(parsed.interchanges.length).toBe(2);
      const keys = parsed.interchanges.map((i) => [i.header.controlNumber, i.groups[0]?.controlNumber, i.groups[0]?.sets[0]?.controlNumber]);
      expect(keys[0]).toStrictEqual(keys[1]);
      expect(keys[0]).toStrictEqual(['000003438', '1421', '000000010']);
    });

    it('reads the 997 and 999 samples, including the backtick/newline one with an unpadded ISA06', () => {
      const expected: Record<string, [string, string, string[]]> = {
        'staedi_997_5010_reject.edi': ['997', 'R', ['R']],
        'staedi_999_5010x231.edi': ['999', 'P', ['A', 'R', 'R']],
        'stupidedi_997_4010_backtick_component_newline_term.edi': ['997', 'A', ['A']],
      };
      for (const [name, [type, groupStatus, setStatuses]] of Object.entries(expected)) {
        const file = shared(name);
        const [interchange] = parseX12(file.text).interchanges;
        expect(interchange).toBeTruthy();
        expect(interchange.findings.filter((f) => f.severity === 'error').length).toBe(0);
        const set = interchange.groups[0]?.sets[0];
        expect(set).toBeTruthy();
        const summary = readFunctionalAck(set, interchange.delimiters).documents[0];
        expect(summary?.type).toBe(type);
        expect(summary?.groupStatus).toBe(groupStatus);
        expect(summary?.sets.map((s) => s.status)).toStrictEqual(setStatuses);
      }
    });

    it('maps the corpus 855/810 samples to canonical documents', () => {
      const expectations: [string, (r: AcknowledgeResult) => void][] = [
        [
          'nodex12_855_4010_line_status.edi',
          (r) => {
            const doc = r.accepted[0]?.documents[0];
            expectTruthy(doc && 'ackType' in doc);
            expect(doc.lines.map((l) => [l.lineNumber, l.statusCode, l.status, l.quantity])).toStrictEqual([
                [1, 'IA', 'ACCEPTED', 3],
                [2, 'IR', 'REJECTED', 0],
                [3, 'IR', 'REJECTED', 0],
                [4, 'IA', 'ACCEPTED', 2],
              ]);
          },
        ],
        [
          'staedi_810_4010.edi',
          (r) => {
            const totals = r.accepted.flatMap((a) => a.documents.map((d) => ('totalAmount' in d ? [d.invoiceNumber, d.poNumber, d.totalAmount, d.lines.length, d.lines.every((l) => l.poLineNumber === undefined)] : [])));
            expect(totals).toStrictEqual([
              ['00001', 'A99999-01', 2554.38, 7, true],
              ['00001', 'A99999-04', 2554.38, 2, true],
            ]);
          },
        ],
        [
          'staedi_855_two_st_one_gs.edi',
          (r) =>
            expect(r.accepted.flatMap((a) => a.documents.map((d) => ('poNumber' in d ? d.poNumber : '')))).toStrictEqual(['ORDER1', 'ORDER2']),
        ],
        [
          'stupidedi_855_4010_brace_component_sep.edi',
          (r) => {
            const doc = r.accepted[0]?.documents[0];
            expectTruthy(doc && 'ackType' in doc);
            expect(doc.lines).toStrictEqual([{ lineNumber: 1, status: 'ACCEPTED', statusCode: 'IA', quantity: 72, uom: 'EA', unitPrice: 47.34 }]);
          },
        ],
        ['stupidedi_832_006020x304_healthcare_fee_schedule.edi', (r) => expect(r.rejected[0]?.reason).toBe('UNSUPPORTED')],
      ];
      for (const [name, check] of expectations) {
        const file = shared(name);
        check(acknowledgeAsReceiver(parseX12(withGroupSenderOfInterchange(file.text))));
      }
      // As published, the StAEDI 810's GS02 (SENDERDEPT) is not its ISA06 (SENDERISA): every set is rejected.
      const published = acknowledgeAsReceiver(parseX12(shared('staedi_810_4010.edi').text));
      expect(published.accepted.length).toBe(0);
      expect(new Set(published.rejected.map((r) => r.reason))).toStrictEqual(new Set(['GROUP_SENDER_MISMATCH']));
    });
  }
});
