import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker, guardErpGateway } from '../../../functions/adapters/connectors/circuit-breaker';
import { UpstreamRejectedError, UpstreamUnavailableError } from '../../../functions/domain/errors';
import { ScriptedErpGateway } from '../procurement-fakes';

/** A breaker on a clock the test moves. */
const breakerAt = (options: { failureThreshold?: number; coolDownMs?: number } = {}): { breaker: CircuitBreaker; advance: (ms: number) => void } => {
  let now = 1_000_000;
  return {
    breaker: new CircuitBreaker({ name: 'ERP', failureThreshold: options.failureThreshold ?? 3, coolDownMs: options.coolDownMs ?? 30_000, now: () => now }),
    advance: (ms) => {
      now += ms;
    },
  };
};

const down = (): Promise<never> => Promise.reject(new UpstreamUnavailableError('ERP 503'));

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive retryable failures and then fails fast without calling', async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    for (let i = 0; i < 3; i += 1) await assert.rejects(breaker.execute(down), UpstreamUnavailableError);
    assert.equal(breaker.snapshot().state, 'OPEN');
    let called = false;
    await assert.rejects(
      breaker.execute(async () => {
        called = true;
        return 'ok';
      }),
      (e: unknown) => e instanceof UpstreamUnavailableError && e.retryable && e.details.circuit === 'OPEN',
    );
    assert.equal(called, false);
  });

  it('resets the count on a success, so only consecutive failures open it', async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    await assert.rejects(breaker.execute(down));
    await assert.rejects(breaker.execute(down));
    assert.equal(await breaker.execute(async () => 'ok'), 'ok');
    await assert.rejects(breaker.execute(down));
    await assert.rejects(breaker.execute(down));
    assert.equal(breaker.snapshot().state, 'CLOSED');
    assert.equal(breaker.snapshot().consecutiveFailures, 2);
  });

  it('does not count refusals: the system answered', async () => {
    const { breaker } = breakerAt({ failureThreshold: 2 });
    for (let i = 0; i < 5; i += 1) {
      await assert.rejects(breaker.execute(() => Promise.reject(new UpstreamRejectedError('400'))), UpstreamRejectedError);
    }
    assert.equal(breaker.snapshot().state, 'CLOSED');
  });

  it('lets one probe through after the cool-down: a success closes it', async () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 1, coolDownMs: 1000 });
    await assert.rejects(breaker.execute(down));
    advance(999);
    await assert.rejects(breaker.execute(async () => 'too early'), UpstreamUnavailableError);
    advance(1);
    assert.equal(breaker.snapshot().state, 'HALF_OPEN');
    let release: (value: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));
    await assert.rejects(breaker.execute(async () => 'second caller'), (e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === 'HALF_OPEN');
    release('recovered');
    assert.equal(await probe, 'recovered');
    assert.equal(breaker.snapshot().state, 'CLOSED');
  });

  it('opens again for another cool-down when the probe fails', async () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 1, coolDownMs: 1000 });
    await assert.rejects(breaker.execute(down));
    advance(1000);
    await assert.rejects(breaker.execute(down), (e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === undefined);
    assert.equal(breaker.snapshot().state, 'OPEN');
    advance(500);
    await assert.rejects(breaker.execute(async () => 'still open'), (e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === 'OPEN');
  });

  it('guards a gateway: calls stop reaching the ERP once the circuit is open', async () => {
    const { breaker } = breakerAt({ failureThreshold: 2 });
    const erp = new ScriptedErpGateway();
    erp.failNext(5);
    const guarded = guardErpGateway(erp, breaker);
    const po = { poNumber: 'PO-1' } as Parameters<typeof erp.createPurchaseOrder>[0];
    for (let i = 0; i < 4; i += 1) await assert.rejects(guarded.createPurchaseOrder(po, 'PO|PO-1'));
    assert.equal(erp.calls.length, 2);
  });
});
