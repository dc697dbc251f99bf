/**
 * Typed per-environment configuration, read from the `environments` context key of `cdk.json`
 * (or `-c environments=...`) and validated once at synth time. Every problem in every environment
 * is reported in one aggregated error so a broken `cdk.json` is fixed in one pass.
 */
import * as z from 'zod';
import { FUNCTIONS } from '../../contracts/functions';
import { SCOPES } from '../../contracts/routes';

/** Values CloudWatch Logs accepts as a retention period (days). 9999 (never expire) is deliberately excluded. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const SCOPE_VALUES = Object.values(SCOPES) as [string, ...string[]];
/** The scopes a supplier's client is bound to its supplier for (the rest never look at the binding). */
const SUPPLIER_SCOPES: readonly string[] = [SCOPES.ediWrite, SCOPES.poRead, SCOPES.invoiceRead];

/** Lambda's default regional concurrency quota, and what it must keep unreserved. */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
export const MINIMUM_UNRESERVED_CONCURRENCY = 100;

/**
 * Concurrency the stack reserves: every FUNCTIONS entry reserves its trigger's amount.
 *
 * @param reservedConcurrency - per-trigger reservations of an environment
 * @returns the sum over all functions
 */
export const totalReservedConcurrency = (reservedConcurrency: Readonly<Record<'api' | 'stateMachine' | 'queue', number>>): number =>
  FUNCTIONS.reduce((sum, f) => sum + reservedConcurrency[f.trigger], 0);

const PartnerSchema = z
  .object({
    /** Becomes the Cognito app client name; Cognito generates the client id and secret. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes (2-63 characters)'),
    scopes: z.array(z.enum(SCOPE_VALUES)).min(1, 'a partner needs at least one scope'),
    /**
     * The supplier (its `supplierId` in the procurement configuration) this client speaks for: the
     * stack binds Cognito's generated client id to it (`HEM_SUPPLIER_CLIENTS`), so the supplier may
     * post its X12 and read only its own purchase orders and invoices.
     */
    supplierId: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'a supplier id such as SUP-MEDLINE').optional(),
  })
  .strict()
  .refine(
    (p) => p.supplierId === undefined || SUPPLIER_SCOPES.some((scope) => p.scopes.includes(scope)),
    { message: `a supplier partner needs one of ${SUPPLIER_SCOPES.join(', ')}`, path: ['scopes'] },
  );

const ReservedConcurrencySchema = z
  .object({
    api: z.number().int().min(1),
    stateMachine: z.number().int().min(1),
    /** Also the SQS event source `maxConcurrency`, whose minimum is 2, so throttling never inflates receive counts. */
    queue: z.number().int().min(2),
  })
  .strict();

/** A partner base URL: connectors call it from Lambda over the public internet, so TLS is required. */
const httpsUrl = z.url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'an https:// URL' });

/** One environment (a stack `Hem-<name>`). */
export const EnvironmentConfigSchema = z
  .object({
    /** Optional: when both are absent the stack is environment-agnostic and synthesizes offline. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id').optional(),
    region: z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, 'an AWS region such as eu-west-1').optional(),
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `one of ${LOG_RETENTION_DAYS.join(', ')}`),
    /** `retain` keeps data stores, keys, logs and the user pool when the stack is deleted (required for prod). */
    removalPolicy: z.enum(['retain', 'destroy']),
    /** DynamoDB and Cognito deletion protection. */
    deletionProtection: z.boolean(),
    /** Subscribed to the alarm topic when set. */
    alarmEmail: z.email().optional(),
    /** Base URL of the finance ledger the cost-posting connector and the AP voucher task call. */
    financeUrl: httpsUrl,
    /** Base URL of the ERP (Fusion-style REST) the ERP connector and the AP voucher task call (`HEM_ERP_URL`). */
    erpUrl: httpsUrl,
    /** Base URL of the supplier network the supplier connector sends X12 850s to (`HEM_SUPPLIER_NETWORK_URL`). */
    supplierNetworkUrl: httpsUrl,
    /** Cognito hosted domain prefix; default `hem-<env>-<account id>` (unique per account and region). */
    cognitoDomainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and dashes')
      .refine((p) => !/aws|amazon|cognito/.test(p), 'Cognito rejects prefixes containing aws, amazon or cognito')
      .optional(),
    lambda: z
      .object({
        memoryMb: z.number().int().min(128).max(10240),
        /** API Gateway's integration timeout is 29 s, so API handlers cannot usefully run longer. */
        timeoutSeconds: z.number().int().min(1).max(29),
        reservedConcurrency: ReservedConcurrencySchema,
        /**
         * The account's Lambda concurrency quota in the region (AWS default 1000). Every function reserves
         * concurrency, and Lambda refuses a reservation that leaves less than 100 unreserved, so the sum
         * of the reservations is checked against it at synth time instead of failing mid-deployment.
         */
        accountConcurrencyLimit: z.number().int().min(100).optional(),
      })
      .strict(),
    api: z
      .object({
        /** Stage-wide steady-state requests per second. */
        throttlingRateLimit: z.number().positive(),
        /** Stage-wide burst bucket size. */
        throttlingBurstLimit: z.number().int().positive(),
      })
      .strict(),
    waf: z
      .object({
        /** Requests per client IP per 5 minutes before the rate-based rule blocks. */
        rateLimitPer5Minutes: z.number().int().min(10).max(2_000_000_000),
      })
      .strict(),
    /** Daily AWS Backup of the durable tables. Required unless the environment declares `syntheticDataOnly`. */
    backup: z
      .object({
        /** Days AWS Backup keeps the daily recovery points of the audit, operations and reference tables. */
        deleteAfterDays: z.number().int().min(1),
      })
      .strict()
      .optional(),
    /**
     * The only way to run without `backup`: the operator declares that this environment's tables hold
     * generated, re-seedable data only (no production ledger, no partner traffic), so point-in-time
     * recovery alone is enough and cdk-nag's DynamoDBInBackupPlan finding is acknowledged. Refused for
     * an environment whose name contains `prod` and for one flagged as production-like
     * (`removalPolicy: retain` or `deletionProtection: true`).
     */
    syntheticDataOnly: z.literal(true).optional(),
    partners: z.array(PartnerSchema),
  })
  .strict()
  .superRefine((env, ctx) => {
    if ((env.account === undefined) !== (env.region === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'set both account and region, or neither (environment-agnostic)', path: ['account'] });
    }
    if (env.api.throttlingBurstLimit < env.api.throttlingRateLimit) {
      ctx.addIssue({ code: 'custom', message: 'burst limit must be at least the rate limit', path: ['api', 'throttlingBurstLimit'] });
    }
    const limit = env.lambda.accountConcurrencyLimit ?? DEFAULT_ACCOUNT_CONCURRENCY;
    const reserved = totalReservedConcurrency(env.lambda.reservedConcurrency);
    if (reserved > limit - MINIMUM_UNRESERVED_CONCURRENCY) {
      ctx.addIssue({
        code: 'custom',
        message:
          `the ${FUNCTIONS.length} functions would reserve ${reserved} concurrent executions; an account quota of ${limit} ` +
          `allows at most ${limit - MINIMUM_UNRESERVED_CONCURRENCY} (Lambda keeps ${MINIMUM_UNRESERVED_CONCURRENCY} unreserved): ` +
          'lower lambda.reservedConcurrency or set lambda.accountConcurrencyLimit to the raised quota',
        path: ['lambda', 'reservedConcurrency'],
      });
    }
    if (env.syntheticDataOnly === true) {
      if (env.backup !== undefined) {
        ctx.addIssue({ code: 'custom', message: 'syntheticDataOnly waives the AWS Backup plan; set backup or syntheticDataOnly, not both', path: ['syntheticDataOnly'] });
      }
      if (env.removalPolicy === 'retain' || env.deletionProtection) {
        ctx.addIssue({
          code: 'custom',
          message: 'syntheticDataOnly is refused for a production-like environment (removalPolicy retain or deletionProtection): configure backup',
          path: ['syntheticDataOnly'],
        });
      }
    } else if (env.backup === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'set backup.deleteAfterDays, or declare syntheticDataOnly: true for an environment whose tables hold only generated, re-seedable data',
        path: ['backup'],
      });
    }
    const names = env.partners.map((p) => p.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', message: `partner "${duplicate}" is configured twice`, path: ['partners'] });
    }
    const supplierIds = env.partners.flatMap((p) => (p.supplierId === undefined ? [] : [p.supplierId]));
    const twice = supplierIds.find((id, i) => supplierIds.indexOf(id) !== i);
    if (twice !== undefined) {
      // One client per supplier keeps "a supplier sees only its own documents" auditable per client.
      ctx.addIssue({ code: 'custom', message: `supplier "${twice}" is bound to two partners`, path: ['partners'] });
    }
  });

export type EnvironmentConfig = z.infer<typeof EnvironmentConfigSchema>;
export type PartnerConfig = z.infer<typeof PartnerSchema>;

/** A validated environment with its name (the stack is `Hem-<name>`). */
export interface HemEnvironment {
  readonly name: string;
  readonly config: EnvironmentConfig;
}

/** An environment whose name contains this is production: it may never declare `syntheticDataOnly`. */
export const PRODUCTION_NAME = /prod/;

const EnvironmentsSchema = z
  .record(
    z.string().regex(/^[a-z][a-z0-9]{1,15}$/, 'environment names are lower-case alphanumerics (2-16 characters)'),
    EnvironmentConfigSchema,
  )
  .superRefine((environments, ctx) => {
    for (const [name, env] of Object.entries(environments)) {
      if (env.syntheticDataOnly === true && PRODUCTION_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `syntheticDataOnly is refused for "${name}": an environment named *prod* must configure backup`,
          path: [name, 'syntheticDataOnly'],
        });
      }
    }
  });

/** Error thrown when the `environments` context is invalid; the message lists every problem. */
export class EnvironmentConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid HEM environment configuration (cdk.json "environments"):\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'EnvironmentConfigError';
  }
}

/**
 * Validates the raw `environments` context value and selects the environments to synthesize.
 *
 * @param raw - the `environments` context value (object, or a JSON string when passed with `-c`)
 * @param only - an environment name (`-c env=prod`), or undefined for all configured environments
 * @returns the selected environments, in the order they are declared
 * @throws EnvironmentConfigError listing every problem found
 */
export function parseEnvironments(raw: unknown, only?: string): HemEnvironment[] {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (cause) {
      throw new EnvironmentConfigError([`environments: not valid JSON (${(cause as Error).message})`]);
    }
  }
  if (value === undefined || value === null) {
    throw new EnvironmentConfigError(['environments: missing; add an "environments" object to the cdk.json context']);
  }
  const parsed = EnvironmentsSchema.safeParse(value);
  if (!parsed.success) {
    throw new EnvironmentConfigError(
      parsed.error.issues.map((issue) => `environments.${issue.path.map(String).join('.')}: ${issue.message}`),
    );
  }
  const all = Object.entries(parsed.data).map(([name, config]) => ({ name, config }));
  if (all.length === 0) {
    throw new EnvironmentConfigError(['environments: at least one environment is required']);
  }
  if (only === undefined) {
    return all;
  }
  const selected = all.filter((e) => e.name === only);
  if (selected.length === 0) {
    throw new EnvironmentConfigError([`env: "${only}" is not configured (known: ${all.map((e) => e.name).join(', ')})`]);
  }
  return selected;
}
