import { apiEvent, eventBridgeEvent, sqsEvent, sqsRecord, SUBSTITUTIONS, substitute } from './support';
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import type { BusEvent, EventDetailType } from '../../../contracts/events';
import { verifyChain } from '../../../functions/domain/audit-chain';
import { makeHandler as makeApply } from '../../../functions/handlers/apply-usage-line';
import { CircuitBreaker } from '../../../functions/adapters/connectors/circuit-breaker';
import { makeHandler as makeFinanceConnector } from '../../../functions/handlers/finance-connector';
import { makeHandler as makeHl7Ingest } from '../../../functions/handlers/hl7-ingest';
import { makeHandler as makeMap } from '../../../functions/handlers/map-usage-lines';
import { fakeDependencies, lambdaContext, type Fakes } from '../fakes';
import { RecordingWorkflowControl } from '../procurement-fakes';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');
const asl = readFileSync(path.join(REPO_ROOT, 'state-machines/usage-to-replenishment.asl.json'), 'utf8');
const stateMachine = new StateMachine(JSON.parse(substitute(asl, SUBSTITUTIONS)) as ConstructorParameters<typeof StateMachine>[0]);
const hl7 = readFileSync(path.resolve(REPO_ROOT, 'test/fixtures/hl7/dft-p03-v23.hl7'), 'utf8');

/** Runs the workflow for one bus event with the real handlers on `deps`; PutEvents lands in deps.events. */
const runWorkflow = async (deps: Fakes, event: BusEvent, eventId: string): Promise<unknown> => {
  const map = makeMap(deps);
  const apply = makeApply(deps);
  const execution = stateMachine.run(eventBridgeEvent(event.source, event.detailType, event.detail, eventId) as never, {
    overrides: {
      taskResourceLocalHandlers: {
        MapUsageLines: async (input) => (await map(input as never, lambdaContext())) as never,
        ApplyUsageLine: async (input) => (await apply(input, lambdaContext())) as never,
        PublishOutcome: async (input) => {
          const { Entries } = input as { Entries: { Source: string; DetailType: string; Detail: BusEvent['detail']; EventBusName: string }[] };
          expect(Entries.every((e) => e.EventBusName === 'hem-test')).toBeTruthy();
          await deps.events.publish(Entries.map((e) => ({ source: e.Source, detailType: e.DetailType as EventDetailType, detail: e.Detail })));
          return { FailedEntryCount: 0, Entries: Entries.map(() => ({ EventId: 'e' })) };
        },
      },
    },
  });
  return execution.result;
};

/** Delivers every CostPosted on the bus to the finance connector, as the queue would. */
const deliverCostPostings = async (deps: Fakes): Promise<void> => {
  const records = deps.events
    .ofType('CostPosted')
    .map((e, i) => sqsRecord(JSON.stringify(eventBridgeEvent(e.source, e.detailType, e.detail, `cost-${i}`)), `m-${i}-${Math.random()}`));
  const connector = makeFinanceConnector({ ...deps, workflows: new RecordingWorkflowControl() }, { breaker: new CircuitBreaker({ name: 'finance ledger' }) });
  const response = await connector(sqsEvent(records), lambdaContext());
  expect(response.batchItemFailures).toStrictEqual([]);
};

describe('usage-to-replenishment with the real handlers', () => {
  it('takes an HL7 DFT^P03 to inventory, cost postings and an audit chain that verifies, exactly once under replay', async () => {
    const deps = fakeDependencies();
    const ack = await makeHl7Ingest(deps)(
      apiEvent({ method: 'POST', resource: '/v1/hl7', body: hl7, requestId: 'corr-e2e' }),
      lambdaContext(),
    );
    expect(ack.statusCode).toBe(200);
    const [recorded] = deps.events.ofType('SupplyUsageRecorded');

    const output = await runWorkflow(deps, recorded!, 'evt-usage-1');
    expect(output).toStrictEqual({
      correlationId: 'corr-e2e',
      exceptionCount: 0,
      lineResults: [
        { businessKey: 'EPIC|NMC|NMC-DFT-0001|1', applied: true, duplicate: false },
        { businessKey: 'EPIC|NMC|NMC-DFT-0001|2', applied: true, duplicate: false },
      ],
    });
    await deliverCostPostings(deps);

    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(56);
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10002'))?.onHand).toBe(28);
    expect([...deps.finance.journal.values()].map((j) => [j.line.itemId, j.line.amount]).sort()).toStrictEqual([
        ['ITM-10001', 1.8],
        ['ITM-10002', 6.2],
      ]);
    expect(deps.transactions.hopNames('corr-e2e')).toStrictEqual(['received', 'mapped', 'mapped', 'applied', 'applied', 'cost-posted', 'cost-posted']);

    // The bus redelivers the same event (archive replay): nothing moves twice, nothing posts twice.
    const replay = (await runWorkflow(deps, recorded!, 'evt-usage-1-replay')) as { lineResults: { duplicate: boolean }[] };
    expect(replay.lineResults.every((l) => l.duplicate)).toBeTruthy();
    await deliverCostPostings(deps);
    expect((await deps.inventory.getPosition('NMC-OR', 'ITM-10001'))?.onHand).toBe(56);
    expect(deps.finance.journal.size).toBe(2);
    expect(deps.finance.calls).toBe(2);

    expect(verifyChain(deps.audit.records).ok).toBe(true);
    expect(deps.audit.actions()).toStrictEqual(['usage.received', 'inventory.decremented', 'inventory.decremented', 'cost.posted', 'cost.posted']);
  });
});
