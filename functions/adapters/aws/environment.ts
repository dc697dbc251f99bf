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
  /**
   * JSON `[{"name", "dlqUrl", "redrive"?}]`: the DLQs operators can list, peek and redrive, where
   * `redrive` is `{"kind": "queue", "sourceUrl"}` (an SQS redrive-policy DLQ: messages go back to
   * that queue) or `{"kind": "bus", "eventBusName"}` (a rule target's or workflow's DLQ: its
   * EventBridge events are re-published); without it the DLQ is inspect-only. The older
   * `{"name", "dlqUrl", "sourceUrl"}` form still reads as `kind: "queue"`.
   */
  deadLetterQueues: 'HEM_DLQS',
  /** ARN of the bus archive that `POST /v1/ops/replays` replays from. */
  archiveArn: 'HEM_ARCHIVE_ARN',
  /** ARN of the bus replays are delivered to. */
  eventBusArn: 'HEM_EVENT_BUS_ARN',
  /** JSON `{"<routing rule name>": "<rule ARN>"}`: the deployed rule of each contracts/routing.ts rule (replay filters). */
  ruleArns: 'HEM_RULE_ARNS',
  /** JSON `{"RequisitionToPay": "<state machine ARN>", "ReceiptToInvoice": "<ARN>"}`: what WorkflowControl starts. */
  stateMachineArns: 'HEM_STATE_MACHINE_ARNS',
  /** ERP base URL (Fusion REST resources under `{url}/fscmRestApi/resources/11.13.18.05`). */
  erpUrl: 'HEM_ERP_URL',
  /** Optional per-attempt timeout of ERP calls in ms (default 5000). */
  erpTimeoutMs: 'HEM_ERP_TIMEOUT_MS',
  /** Supplier network base URL (850s go to `{url}/edi/inbound`). */
  supplierNetworkUrl: 'HEM_SUPPLIER_NETWORK_URL',
  /** Optional per-attempt timeout of supplier network calls in ms (default 5000). */
  supplierNetworkTimeoutMs: 'HEM_SUPPLIER_NETWORK_TIMEOUT_MS',
  /** URL of the `ErpCommands` queue, for fire-and-forget ERP commands (a dock receipt's `CreateReceipt`). */
  erpCommandsQueueUrl: 'HEM_ERP_COMMANDS_QUEUE_URL',
  /**
   * JSON `[{"clientId", "supplierId"}]`: which OAuth2 app client speaks for which supplier. Cognito
   * generates app client ids at deploy time, so the stack writes this from `partners[].supplierId`
   * (cdk.json) on the functions that recognise suppliers; it takes precedence over the
   * `SUPPLIER_CLIENT#` items of the Reference table (what the local runtime seeds).
   */
  supplierClients: 'HEM_SUPPLIER_CLIENTS',
} as const;

export type HemEnvName = (typeof HEM_ENV)[keyof typeof HEM_ENV];
