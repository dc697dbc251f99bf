/**
 * End to end on the embedded runtime, over HTTP as partners and operators use it: HL7 and FHIR usage
 * in, inventory decremented exactly once, replenishment when the reorder point is crossed, cost
 * postings delivered to the finance simulator, exceptions fixed and reprocessed, DLQ redrive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

  before(async () => {
    rt = await startTestRuntime();
    ehr = await tokenFor(rt, 'epic-ehr');
  });
  after(async () => {
    await rt?.stop();
  });

  it('answers /health with 200 when ready', async () => {
    const res = await fetch(`${rt.baseUrl}/health`);
    assert.equal(res.status, 200);
  });

  it('returns 401 without a token and 403 for a client without the usage scope', async () => {
    const msg = dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100003', quantity: 1 }] });
    const anonymous = await fetch(`${rt.baseUrl}/v1/hl7`, { method: 'POST', headers: { 'content-type': 'application/hl7-v2' }, body: msg });
    assert.equal(anonymous.status, 401);
    const supplier = await tokenFor(rt, 'supplier-medline');
    const forbidden = await postHl7(rt, supplier, msg);
    assert.equal(forbidden.status, 403);
  });

  it('decrements the position once, posts the cost to finance and shows every hop', async () => {
    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100001', quantity: 5 }] }));
    assert.equal(res.status, 200);
    assert.match(res.ack, /^MSA\|AA\|/m);
    assert.match(res.ack, new RegExp(`^MSA\\|AA\\|${id}`, 'm'));
    assert.ok(res.correlationId);

    const after = await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      assert.equal(p.onHand, before.onHand - 5);
      return p;
    });
    assert.ok(after.movements.some((m) => m.delta === -5 && m.businessKey === `EPIC|${id}|1`));

    const journal = await eventually(async () => {
      const lines = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
      assert.equal(lines.length, 1);
      return lines;
    });
    assert.equal(journal[0].costCenter, 'CC-NMC-OR');
    assert.equal(journal[0].amount, 2.25);

    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, res.correlationId as string);
      assert.ok(h.some((x) => x.hop === 'cost-posted'));
      return h;
    });
    for (const hop of ['received', 'mapped', 'applied', 'cost-posted']) {
      assert.ok(trail.some((x) => x.hop === hop), `hop ${hop} missing from ${trail.map((x) => x.hop).join(',')}`);
    }
    assert.ok(trail.every((x) => !Number.isNaN(Date.parse(x.at))));
  });

  it('changes nothing when the same message is resent', async () => {
    const id = controlId();
    const msg = dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100001', quantity: 2 }] });
    const first = await postHl7(rt, ehr, msg);
    await rt.whenIdle();
    const afterFirst = await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      assert.ok(p.movements.some((m) => m.businessKey === `EPIC|${id}|1`));
      return p;
    });
    const second = await postHl7(rt, ehr, msg);
    assert.equal(second.status, 200);
    assert.match(second.ack, /^MSA\|AA\|/m);
    assert.equal(second.correlationId, first.correlationId);
    await rt.whenIdle();
    const afterSecond = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    assert.equal(afterSecond.onHand, afterFirst.onHand);
    const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
    assert.equal(posted.length, 1);
  });

  it('requests replenishment restoring par rounded up to the purchasing pack when the reorder point is crossed', async () => {
    // ITM-10002 at NMC-OR: par 48, reorder point 12, 1 BX = 12 EA.
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    const use = start.onHand - start.reorderPoint + 2; // lands 2 below the reorder point
    const res = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100002', quantity: use }] }));
    assert.match(res.ack, /^MSA\|AA\|/m);
    const trail = await eventually(async () => {
      const h = await hops(rt, ehr, res.correlationId as string);
      assert.ok(h.some((x) => x.hop === 'reorder'));
      return h;
    });
    const reorder = trail.find((x) => x.hop === 'reorder');
    const onHand = start.reorderPoint - 2;
    const expected = Math.ceil((start.parLevel - onHand) / 12) * 12;
    assert.equal(reorder?.detail?.quantity, expected);
    const p = await position(rt, ehr, 'NMC-OR', 'ITM-10002');
    assert.equal(p.onHand, onHand);
    assert.equal(p.onOrder, expected);
  });

  it('restores stock for a credit line', async () => {
    const start = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
    const res = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100001', quantity: 3, type: 'CD' }] }));
    assert.match(res.ack, /^MSA\|AA\|/m);
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10001');
      assert.equal(p.onHand, start.onHand + 3);
    });
  });

  it('answers AE naming FT1-10 for a non-numeric quantity and AR for input that is not HL7', async () => {
    const bad = await postHl7(rt, ehr, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100001', quantity: 'TEN' }] }));
    assert.match(bad.ack, /^MSA\|AE\|/m);
    assert.match(bad.ack, /^ERR\|.*FT1/m);
    const garbage = await postHl7(rt, ehr, 'this is not an HL7 message');
    assert.match(garbage.ack, /^MSA\|AR\|/m);
  });

  it('keeps an unmapped line as an exception an operator can fix and reprocess', async () => {
    const id = controlId();
    const res = await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-999999', quantity: 1 }] }));
    assert.match(res.ack, /^MSA\|AA\|/m);
    const exception = await eventually(async () => {
      const list = await opsCall<{ exceptions: { exceptionId: string; businessKey: string; reasons: string[] }[] }>(rt, 'GET', '/v1/ops/exceptions?status=OPEN');
      assert.equal(list.status, 200);
      const found = list.body.exceptions.find((e) => e.businessKey === `EPIC|${id}|1`);
      assert.ok(found);
      return found;
    });
    assert.deepEqual(exception.reasons, ['UNKNOWN_CHARGE_CODE']);

    const before = await position(rt, ehr, 'NMC-OR', 'ITM-10003');
    const fix = await opsCall(rt, 'PUT', '/v1/ops/crosswalks/charge-codes/EPIC/CHG-999999', { itemId: 'ITM-10003' });
    assert.equal(fix.status, 200);
    const reprocess = await opsCall(rt, 'POST', `/v1/ops/exceptions/${exception.exceptionId}/reprocess`, {});
    assert.equal(reprocess.status, 202);
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10003');
      assert.equal(p.onHand, before.onHand - 1);
    });
    const resolved = await eventually(async () => {
      const one = await opsCall<{ status: string }>(rt, 'GET', `/v1/ops/exceptions/${exception.exceptionId}`);
      assert.equal(one.body.status, 'RESOLVED');
      return one;
    });
    assert.equal(resolved.status, 200);
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
    assert.equal(res.status, 202);
    const body = (await res.json()) as { correlationId: string };
    assert.ok(body.correlationId);
    await eventually(async () => {
      const p = await position(rt, ehr, 'NMC-OR', 'ITM-10004');
      assert.equal(p.onHand, start.onHand - 1);
    });
  });

  it('returns a 400 problem naming the field for an invalid canonical record', async () => {
    const res = await fetch(`${rt.baseUrl}/v1/usage-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ehr}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sourceSystem: 'EPIC', facilityCode: 'NMC', recordId: 'R1', occurredAt: '2026-11-26T08:00:00Z', lines: [{ chargeCode: 'CHG-100001', quantity: 0 }] }),
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    const problem = (await res.json()) as { detail: string };
    assert.match(problem.detail, /lines\[0\]\.quantity|lines\.0\.quantity/);
  });

  it('dead-letters cost postings while finance is down and posts them once after a redrive', async () => {
    await fetch(`${rt.financeUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1000, status: 503 }) });
    const id = controlId();
    await postHl7(rt, ehr, dftP03({ controlId: id, lines: [{ chargeCode: 'CHG-100005', quantity: 1 }] }));
    const dlq = await eventually(async () => {
      const list = await opsCall<{ queues: { name: string; depth: number }[] }>(rt, 'GET', '/v1/ops/dlqs');
      const d = list.body.queues.find((q) => q.name === 'finance-postings-dlq');
      assert.ok(d && d.depth >= 1);
      return d;
    }, 30_000);
    assert.ok(dlq);
    const shown = await opsCall<{ messages: { body: string }[] }>(rt, 'GET', '/v1/ops/dlqs/finance-postings-dlq');
    assert.ok(shown.body.messages.some((m) => m.body.includes(id)));
    assert.ok(shown.body.messages.every((m) => !m.body.includes('RIVERA') && !m.body.includes('MRN778812')));

    await fetch(`${rt.financeUrl}/_faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 0 }) });
    const redrive = await opsCall<{ moved: number }>(rt, 'POST', '/v1/ops/dlqs/finance-postings-dlq/redrive', {});
    assert.equal(redrive.status, 200);
    assert.ok(redrive.body.moved >= 1);
    await eventually(async () => {
      const posted = (await financeJournal(rt)).filter((l) => l.idempotencyKey.includes(id));
      assert.equal(posted.length, 1);
    }, 20_000);
  });

  it('serves the OpenAPI catalog', async () => {
    const res = await getJson<{ openapi: string; paths: Record<string, unknown> }>(rt, ehr, '/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.body.openapi, /^3\./);
    assert.ok(res.body.paths['/v1/hl7']);
  });
});
