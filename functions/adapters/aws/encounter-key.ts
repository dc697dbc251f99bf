/**
 * `EncounterKeyProvider` over AWS Secrets Manager: the HMAC key behind opaque encounter references.
 *
 * The secret is fetched once per Lambda instance and cached for the life of the process: the key
 * changes only by a deliberate rotation, and a rotation changes every encounter reference anyway, so
 * it comes with a redeploy. A failed fetch is not cached (the next call tries again).
 *
 * Secret format: `SecretBinary` is used as the key bytes as-is; otherwise `SecretString` (trimmed)
 * is used as UTF-8 bytes, e.g. a generated 64-character random string. Keys shorter than 32 bytes
 * are refused: HMAC-SHA256 deserves a key at least as long as its output.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { InfrastructureError } from '../../domain/errors';
import type { EncounterKeyProvider } from '../../domain/ports';

/** Minimum key length in bytes. */
export const MIN_ENCOUNTER_KEY_BYTES = 32;

export interface SecretsManagerEncounterKeyProviderOptions {
  client: SecretsManagerClient;
  /** Secret ARN or name. */
  secretId: string;
}

/** Fetches the encounter-reference key from Secrets Manager once and caches it. */
export class SecretsManagerEncounterKeyProvider implements EncounterKeyProvider {
  readonly #client: SecretsManagerClient;
  readonly #secretId: string;
  #key: Promise<Uint8Array> | undefined;

  constructor(options: SecretsManagerEncounterKeyProviderOptions) {
    this.#client = options.client;
    this.#secretId = options.secretId;
  }

  getKey(): Promise<Uint8Array> {
    // Concurrent first calls share one fetch.
    this.#key ??= this.#fetch().catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }

  async #fetch(): Promise<Uint8Array> {
    let secret: { SecretBinary?: Uint8Array; SecretString?: string };
    try {
      // Imported on first fetch, not at module load (see EventBridgePublisher#send): Lambda init then
      // evaluates only the SDK packages a function needs before its first call.
      const { GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
      secret = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }));
    } catch (error) {
      const errorName = error instanceof Error ? error.name : typeof error;
      // The secret id is an ARN, not a secret: safe to name. The value never appears in an error.
      throw new InfrastructureError(`Secrets Manager GetSecretValue failed (${errorName})`, {
        cause: error,
        details: { secretId: this.#secretId, errorName },
      });
    }
    const key =
      secret.SecretBinary !== undefined
        ? new Uint8Array(secret.SecretBinary)
        : new TextEncoder().encode((secret.SecretString ?? '').trim());
    if (key.byteLength < MIN_ENCOUNTER_KEY_BYTES) {
      throw new InfrastructureError(`encounter key secret is shorter than ${MIN_ENCOUNTER_KEY_BYTES} bytes`, {
        details: { secretId: this.#secretId },
      });
    }
    return key;
  }
}
