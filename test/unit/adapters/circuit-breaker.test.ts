import { describe, expect, it } from '@jest/globals';
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
    for (let i = 0; i < 3; i += 1) await expect(breaker.execute(down)).rejects.toThrow(UpstreamUnavailableError);
    expect(breaker.snapshot().state).toBe('OPEN');
    let called = false;
    await expect(breaker.execute(async () => {
        called = true;
        return 'ok';
      })).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamUnavailableError && e.retryable && e.details.circuit === 'OPEN'));
    expect(called).toBe(false);
  });

  it('resets the count on a success, so only consecutive failures open it', async () => {
    const { breaker } = breakerAt({ failureThreshold: 3 });
    await expect(breaker.execute(down)).rejects.toThrow();
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(await breaker.execute(async () => 'ok')).toBe('ok');
    await expect(breaker.execute(down)).rejects.toThrow();
    await expect(breaker.execute(down)).rejects.toThrow();
    expect(breaker.snapshot().state).toBe('CLOSED');
    expect(breaker.snapshot().consecutiveFailures).toBe(2);
  });

  it('does not count refusals: the system answered', async () => {
    const { breaker } = breakerAt({ failureThreshold: 2 });
    for (let i = 0; i < 5; i += 1) {
      await expect(breaker.execute(() => Promise.reject(new UpstreamRejectedError('400')))).rejects.toThrow(UpstreamRejectedError);
    }
    expect(breaker.snapshot().state).toBe('CLOSED');
  });

  it('lets one probe through after the cool-down: a success closes it', async () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 1, coolDownMs: 1000 });
    await expect(breaker.execute(down)).rejects.toThrow();
    advance(999);
    await expect(breaker.execute(async () => 'too early')).rejects.toThrow(UpstreamUnavailableError);
    advance(1);
    expect(breaker.snapshot().state).toBe('HALF_OPEN');
    let release: (value: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(breaker.execute(async () => 'second caller')).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === 'HALF_OPEN'));
    release('recovered');
    expect(await probe).toBe('recovered');
    expect(breaker.snapshot().state).toBe('CLOSED');
  });

  it('opens again for another cool-down when the probe fails', async () => {
    const { breaker, advance } = breakerAt({ failureThreshold: 1, coolDownMs: 1000 });
    await expect(breaker.execute(down)).rejects.toThrow();
    advance(1000);
    await expect(breaker.execute(down)).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === undefined));
    expect(breaker.snapshot().state).toBe('OPEN');
    advance(500);
    await expect(breaker.execute(async () => 'still open')).rejects.toThrow(expect.toSatisfy((e: unknown) => e instanceof UpstreamUnavailableError && e.details.circuit === 'OPEN'));
  });

  it('guards a gateway: calls stop reaching the ERP once the circuit is open', async () => {
    const { breaker } = breakerAt({ failureThreshold: 2 });
    const erp = new ScriptedErpGateway();
    erp.failNext(5);
    const guarded = guardErpGateway(erp, breaker);
    const po = { poNumber: 'PO-1' } as Parameters<typeof erp.createPurchaseOrder>[0];
    for (let i = 0; i < 4; i += 1) await expect(guarded.createPurchaseOrder(po, 'PO|PO-1')).rejects.toThrow();
    expect(erp.calls.length).toBe(2);
  });
});
