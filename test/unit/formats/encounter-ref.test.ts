import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { InfrastructureError } from '../../../functions/domain/errors';
import { encounterKey, thrown } from './support';

describe('encounterRef', () => {
  it('is enc_ + the first 32 base64url characters of HMAC-SHA256(key, facility|visit)', () => {
    const expected = createHmac('sha256', encounterKey).update('NMC|V20261126-0042').digest('base64url').slice(0, 32);
    expect(encounterRef(encounterKey, 'NMC', 'V20261126-0042')).toBe(`enc_${expected}`);
  });

  it('matches the encounterRef pattern of contracts/usage.ts', () => {
    expect(encounterRef(encounterKey, 'SCH', '1')).toMatch(/^enc_[A-Za-z0-9_-]{16,64}$/);
    expect(encounterRef(encounterKey, 'SCH', '1').length).toBe(36);
  });

  it('is stable for one key and differs by facility, visit number and key', () => {
    const ref = encounterRef(encounterKey, 'NMC', 'V1');
    expect(encounterRef(encounterKey, 'NMC', 'V1')).toBe(ref);
    expect(encounterRef(encounterKey, 'SCH', 'V1')).not.toBe(ref);
    expect(encounterRef(encounterKey, 'NMC', 'V2')).not.toBe(ref);
    expect(encounterRef(new Uint8Array(32).fill(1), 'NMC', 'V1')).not.toBe(ref);
  });

  it('gives different references when characters move between facility and visit number', () => {
    expect(encounterRef(encounterKey, 'NMC', 'V12')).not.toBe(encounterRef(encounterKey, 'NMC1', 'V2'));
  });

  it('refuses a key shorter than 16 bytes as a configuration fault', () => {
    expect(thrown(() => encounterRef(new Uint8Array(8), 'NMC', 'V1')) instanceof InfrastructureError).toBeTruthy();
  });
});
