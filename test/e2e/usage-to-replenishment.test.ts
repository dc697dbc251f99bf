/**
 * End to end on the embedded runtime, over HTTP as partners and operators use it: HL7 and FHIR usage
 * in, inventory decremented exactly once, replenishment when the reorder point is crossed, cost
 * postings delivered to the finance simulator, exceptions fixed and reprocessed, DLQ redrive.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectTruthy } from '../support/expect-narrowing';
import {
  controlId,
  dftP03,
  eventually,
  getJson,
  hops,
  opsCall,
  position,
  postHl7,
  startTestRuntime,
  tokenFor,
  type Runtime,
} from './support';

interface JournalLine {
  idempotencyKey: string;
  costCenter: string;
  itemId: string;
  quantity: number;
  amount: number;
}

const financeJournal = async (rt: Runtime): Promise<JournalLine[]> => {
  const res = await fetch(`${rt.financeUrl}/gl/journal-lines`);
  return (await res.json()) as JournalLine[];
};

describe('usage to replenishment on the local runtime', () => {
  let rt: Runtime;
  let ehr: string;

  beforeAll(async () => {
    rt = await startTestRuntime();
    ehr = await tokenFor(rt, 'epic-ehr');
  });
  afterAll(async () => {
    await rt?.stop();
  });

  it('answers /health with 200 when ready', async () => {
    const res = await fetch(`${rt.baseUrl}/health`);
    expect(res.status).toBe(200);
  });

  it('returns 401 without a token and 403 for a client without the usage scope', async () => {
    const msg = dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100003', quantity: 1 }] });
    const anonymous = await fetch(`${rt.baseUrl}/v1/hl7`, { method: 'POST', headers: { 'content-type': 'application/hl7-v2' }, body: msg });
    expect(anonymous.status).toBe(401);
    const supplier = await tokenFor(rt, 'supplier-medline');
    const forbidden = await postHl7(rt, supplier, msg);
    expect(forbidden.status).toBe(403);
  });

  it('decrements the position once, posts the cost to finance and shows every hop', async () => {
    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100001', quantity: 5 }] }));
    expect(res.status).toBe(200);
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    expect(res.ack).toMatch(new RegExp(`^MSA\\|AA\\|${id}`, 'm'));
    expect(res.correlationId).toBeTruthy();

    const after = await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      expect(p.onHand).toBe(before.onHand - 5);
      return p;
    });
    expect(after.movements.some((m) => m.delta === -5 && m.businessKey === `EPIC|NMC|${id}|1`)).toBeTruthy();

    const journal = await eventually(async () => {
      const lines = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
      expect(lines.length).toBe(1);
      return lines;
    });
    expect(journal[0].costCenter).toBe('CC-NMC-OR');
    expect(journal[0].amount).toBe(2.25);

    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, res.correlationId as string);
      expect(h.some((x) => x.hop === 'cost-posted')).toBeTruthy();
      return h;
    });
    for (const hop of ['received', 'mapped', 'applied', 'cost-posted']) {
      expect(trail.some((x) => x.hop === hop)).toBeTruthy();
    }
    expect(trail.every((x) => !Number.isNaN(Date.parse(x.at)))).toBeTruthy();
  });

  it('changes nothing when the same message is resent', async () => {
    const id = controlId();
    const msg = dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100001', quantity: 2 }] });
    const first = await postHl7(rt, ehr, msg);
    await rt.whenIdle();
    const afterFirst = await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      expect(p.movements.some((m) => m.businessKey === `EPIC|NMC|${id}|1`)).toBeTruthy();
      return p;
    });
    const second = await postHl7(rt, ehr, msg);
    expect(second.status).toBe(200);
    expect(second.ack).toMatch(/^MSA\|AA\|/m);
    expect(second.correlationId).toBe(first.correlationId);
    await rt.whenIdle();
    const afterSecond = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    expect(afterSecond.onHand).toBe(afterFirst.onHand);
    const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
    expect(posted.length).toBe(1);
  });

  it('requests replenishment restoring par rounded up to the purchasing pack when the reorder point is crossed', async () => {
    // ITM-10002 at NMC-OR: par 48, reorder point 12, 1 BX = 12 EA.
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const use = start.onHand - start.reorderPoint + 2; // lands 2 below the reorder point
    const res = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100002', quantity: use }] }));
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, res.correlationId as string);
      expect(h.some((x) => x.hop === 'reorder')).toBeTruthy();
      return h;
    });
    const reorder = trail.find((x) => x.hop === 'reorder');
    const onHand = start.reorderPoint - 2;
    const expected = Math.ceil((start.parLevel - onHand) / 12) * 12;
    expect(reorder?.detail?.quantity).toBe(expected);
    const p = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    expect(p.onHand).toBe(onHand);
    expect(p.onOrder).toBe(expected);
  });

  it('restores stock for a credit line', async () => {
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    const res = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100001', quantity: 3, type: 'CD' }] }));
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      expect(p.onHand).toBe(start.onHand + 3);
    });
  });

  it('answers AE naming FT1-10 for a non-numeric quantity and AR for input that is not HL7', async () => {
    const bad = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100001', quantity: 'TEN' }] }));
    expect(bad.ack).toMatch(/^MSA\|AE\|/m);
    expect(bad.ack).toMatch(/^ERR\|.*FT1/m);
    const garbage = await postHl7(rt, ehr, 'this is not an HL7 message');
    expect(garbage.ack).toMatch(/^MSA\|AR\|/m);
  });

  it('keeps an unmapped line as an exception an operator can fix and reprocess', async () => {
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-999999', quantity: 1 }] }));
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    const exception = await eventually(async () => {
      const list = await opsCall<{ exceptions: { exceptionId: string; businessKey: string; reasons: string[] }[] }>(rt, 'GET', '/v1/ops/exceptions?status=OPEN');
      expect(list.status).toBe(200);
      const found = list.body.exceptions.find((e) => e.businessKey === `EPIC|NMC|${id}|1`);
      expectTruthy(found);
      return found;
    });
    expect(exception.reasons).toStrictEqual(['UNKNOWN_CHARGE_CODE']);

    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10003');
    const fix = await opsCall(rt, 'PUT', '/v1/ops/crosswalks/charge-codes/EPIC/CHG-999999', { itemId: 'ITM-10003' });
    expect(fix.status).toBe(200);
    const reprocess = await opsCall(rt, 'POST', `/v1/ops/exceptions/${exception.exceptionId}/reprocess`, {});
    expect(reprocess.status).toBe(202);
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10003');
      expect(p.onHand).toBe(before.onHand - 1);
    });
    const resolved = await eventually(async () => {
      const one = await opsCall<{ status: string }>(rt, 'GET', `/v1/ops/exceptions/${exception.exceptionId}`);
      expect(one.body.status).toBe('RESOLVED');
      return one;
    });
    expect(resolved.status).toBe(200);
  });

  it('does not say ok for a message with 1 of 4 lines applied: partial with its line counts, and listed as stuck', async () => {
    const id = controlId();
    const unknown = [1, 2, 3].map((n) => ({ chargeCode: `CHG-77${id.slice(-4)}${n}`, quantity: 1 }));
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [...unknown, { chargeCode: 'CHG-100001', quantity: 1 }] }));
    expect(res.ack).toMatch(/^MSA\|AA\|/m);
    const correlationId = res.correlationId as string;
    const view = await eventually(async () => {
      const got = await getJson<{ status: string; lines: Record<string, number> }>(rt, ehr, `/v1/transactions/${encodeURIComponent(correlationId)}`);
      expect(got.body.lines.pending).toBe(0);
      return got.body;
    });
    expect(view.status).toBe('partial');
    expect(view.lines).toStrictEqual({ expected: 4, applied: 1, excepted: 3, deadLettered: 0, pending: 0 });

    const stuck = await eventually(async () => {
      const list = await opsCall<{ transactions: { correlationId: string; status: string }[] }>(rt, 'GET', '/v1/ops/stuck?olderThan=1s&limit=100');
      expect(list.status).toBe(200);
      const found = list.body.transactions.find((t) => t.correlationId === correlationId);
      expectTruthy(found);
      return found;
    });
    expect(stuck.status).toBe('partial');
  });

  it('accepts a FHIR Procedure with usedCode and applies it', async () => {
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10004');
    const procedure = {
      resourceType: 'Procedure',
      id: `proc-${controlId()}`,
      status: 'completed',
      subject: { reference: 'Patient/example', display: 'Marisol Rivera' },
      encounter: { reference: 'Encounter/V55120' },
      performedDateTime: '2026-11-26T08:15:00-05:00',
      extension: [{ url: 'urn:hem:department', valueString: 'OR' }],
      usedCode: [{ coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100004' }] }],
    };
    const res = await fetch(`${rt.baseUrl}/v1/usage-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ehr}`, 'content-type': 'application/fhir+json', 'x-source-system': 'EPIC', 'x-facility-code': 'NMC' },
      body: JSON.stringify(procedure),
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { correlationId: string };
    expect(body.correlationId).toBeTruthy();
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10004');
      expect(p.onHand).toBe(start.onHand - 1);
    });
  });

  it('returns a 400 problem naming the field for an invalid canonical record', async () => {
    const res = await fetch(`${rt.baseUrl}/v1/usage-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ehr}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sourceSystem: 'EPIC', facilityCode: 'NMC', recordId: 'R1', occurredAt: '2026-11-26T08:00:00Z', lines: [{ chargeCode: 'CHG-100001', quantity: 0 }] }),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type') ?? '').toMatch(/problem\+json/);
    const problem = (await res.json()) as { detail: string };
    expect(problem.detail).toMatch(/lines\[0\]\.quantity|lines\.0\.quantity/);
  });

  it('dead-letters cost postings while finance is down and posts them once after a redrive', async () => {
    await fetch(`${rt.financeUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1000, status: 503 }) });
    const id = controlId();
    await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100005', quantity: 1 }] }));
    const dlq = await eventually(async () => {
      const list = await opsCall<{ queues: { name: string; depth: number }[] }>(rt, 'GET', '/v1/ops/dlqs');
      const d = list.body.queues.find((q) => q.name === 'finance-postings-dlq');
      expect(d && d.depth >= 1).toBeTruthy();
      return d;
    }, 30_000);
    expectTruthy(dlq);
    const shown = await opsCall<{ messages: { body: string }[] }>(rt, 'GET', '/v1/ops/dlqs/finance-postings-dlq');
    expect(shown.body.messages.some((m) => m.body.includes(id))).toBeTruthy();
    expect(shown.body.messages.every((m) => !m.body.includes('RIVERA') && !m.body.includes('MRN778812'))).toBeTruthy();

    await fetch(`${rt.financeUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 0 }) });
    const redrive = await opsCall<{ moved: number }>(rt, 'POST', '/v1/ops/dlqs/finance-postings-dlq/redrive', {});
    expect(redrive.status).toBe(200);
    expect(redrive.body.moved >= 1).toBeTruthy();
    await eventually(async () => {
      const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
      expect(posted.length).toBe(1);
    }, 20_000);
  });

  it('serves the OpenAPI catalog', async () => {
    const res = await getJson<{ openapi: string; paths: Record<string, unknown> }>(rt, ehr, '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(res.body.paths['/v1/hl7']).toBeTruthy();
  });
});
