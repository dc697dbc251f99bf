/**
 * The Lambda environment variables `awsDependencies()` reads: the CDK stack sets them on every
 * function, this is the one place their names are spelled. No SDK imports here, so CDK code can
 * import it cheaply.
 */
export const HEM_ENV = {
  /** Powertools idempotency table (`id` / `expiration`). */
  tableIdempotency: 'HEM_TABLE_IDEMPOTENCY',
  /** Audit hash-chain table (`chain` / `seq`). */
  tableAudit: 'HEM_TABLE_AUDIT',
  /** Operations single table (positions, movements, dedup, hops, exceptions). */
  tableOperations: 'HEM_TABLE_OPERATIONS',
  /** Reference single table (crosswalks, master data). */
  tableReference: 'HEM_TABLE_REFERENCE',
  /** EventBridge bus name. */
  eventBusName: 'HEM_EVENT_BUS_NAME',
  /** Finance ledger base URL (`POST {url}/gl/journal-lines`). */
  financeUrl: 'HEM_FINANCE_URL',
  /** Optional per-attempt timeout of finance calls in ms (default 5000). */
  financeTimeoutMs: 'HEM_FINANCE_TIMEOUT_MS',
  /** Secrets Manager ARN of the encounter-reference HMAC key. */
  encounterKeySecretArn: 'HEM_ENCOUNTER_KEY_SECRET_ARN',
  /** JSON `[{"name","dlqUrl","sourceUrl"}]`: the DLQs operators can list, peek and redrive. */
  deadLetterQueues: 'HEM_DLQS',
} as const;

export type HemEnvName = (typeof HEM_ENV)[keyof typeof HEM_ENV];
