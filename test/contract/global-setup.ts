/**
 * The contract project's global setup: one moto server for all contract files, instead of one per
 * file. Its endpoint reaches the test workers through the environment; each file resets it.
 */
import { SHARED_MOTO_ENDPOINT_VARIABLE, startMotoServer } from '../support/moto';
import type { Moto } from '../support/moto';

declare global {
  var hemSharedMoto: Moto | undefined;
}

export default async function startSharedMoto(): Promise<void> {
  const moto = await startMotoServer();
  globalThis.hemSharedMoto = moto;
  process.env[SHARED_MOTO_ENDPOINT_VARIABLE] = moto.endpoint;
}
