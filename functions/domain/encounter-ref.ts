/**
 * Opaque encounter references: the only patient-related value allowed past the ingest boundary.
 *
 * `enc_` + base64url(HMAC-SHA256(key, facilityCode + '|' + visitNumber)), cut to 32 characters
 * (192 bits: collisions are out of reach, and the value still fits the `encounterRef` pattern of
 * contracts/usage.ts). The same facility + visit number always gives the same reference under one
 * key, so usage lines of one encounter can be grouped without ever holding the visit number.
 */
import { createHmac, createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { InfrastructureError } from './errors';

/** Characters of base64url kept after the `enc_` prefix. */
const REF_CHARS = 32;
/** A shorter key would make the HMAC guessable; the Secrets Manager provider insists on 32 bytes. */
const MIN_KEY_BYTES = 16;

/**
 * `createHmac` with raw key bytes builds a KeyObject on every call (~14 µs on Node 24); with a
 * prepared KeyObject it is ~2 µs. Keys are long-lived (one per process), so they are prepared once
 * per key array. A WeakMap keeps no key alive after its owner drops it.
 */
const preparedKeys = new WeakMap<Uint8Array, KeyObject>();

const prepare = (key: Uint8Array): KeyObject => {
  let prepared = preparedKeys.get(key);
  if (prepared === undefined) {
    if (key.byteLength < MIN_KEY_BYTES) {
      // A configuration fault, not bad input: the caller's key provider handed out a weak key.
      throw new InfrastructureError(`encounter key must be at least ${MIN_KEY_BYTES} bytes`);
    }
    prepared = createSecretKey(key);
    preparedKeys.set(key, prepared);
  }
  return prepared;
};

/**
 * The opaque encounter reference of a visit: `enc_` + 32 base64url characters.
 *
 * @param key - the PHI key (`EncounterKeyProvider.getKey()`); treat the array as immutable, its
 *   prepared form is cached by identity.
 * @param facilityCode - the sending facility (MSH-4 / the canonical `facilityCode`).
 * @param visitNumber - the visit number (PV1-19, FHIR encounter identifier); never stored.
 */
export function encounterRef(key: Uint8Array, facilityCode: string, visitNumber: string): string {
  const digest = createHmac('sha256', prepare(key)).update(`${facilityCode}|${visitNumber}`).digest('base64url');
  return `enc_${digest.slice(0, REF_CHARS)}`;
}
