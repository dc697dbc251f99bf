import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { encounterRef } from '../../../functions/domain/encounter-ref';
import { InfrastructureError } from '../../../functions/domain/errors';
import { encounterKey, thrown } from './support';

describe('encounterRef', () => {
  it('is enc_ + the first 32 base64url characters of HMAC-SHA256(key, facility|visit)', () => {
    const expected = createHmac('sha256', encounterKey).update('NMC|V20261126-0042').digest('base64url').slice(0, 32);
    assert.equal(encounterRef(encounterKey, 'NMC', 'V20261126-0042'), `enc_${expected}`);
  });

  it('matches the encounterRef pattern of contracts/usage.ts', () => {
    assert.match(encounterRef(encounterKey, 'SCH', '1'), /^enc_[A-Za-z0-9_-]{16,64}$/);
    assert.equal(encounterRef(encounterKey, 'SCH', '1').length, 36);
  });

  it('is stable for one key and differs by facility, visit number and key', () => {
    const ref = encounterRef(encounterKey, 'NMC', 'V1');
    assert.equal(encounterRef(encounterKey, 'NMC', 'V1'), ref);
    assert.notEqual(encounterRef(encounterKey, 'SCH', 'V1'), ref);
    assert.notEqual(encounterRef(encounterKey, 'NMC', 'V2'), ref);
    assert.notEqual(encounterRef(new Uint8Array(32).fill(1), 'NMC', 'V1'), ref);
  });

  it('gives different references when characters move between facility and visit number', () => {
    assert.notEqual(encounterRef(encounterKey, 'NMC', 'V12'), encounterRef(encounterKey, 'NMC1', 'V2'));
  });

  it('refuses a key shorter than 16 bytes as a configuration fault', () => {
    assert.ok(thrown(() => encounterRef(new Uint8Array(8), 'NMC', 'V1')) instanceof InfrastructureError);
  });
});
