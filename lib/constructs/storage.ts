import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { NUMERIC_KEY_ATTRIBUTES, TABLES, type TableDefinition, type TableId } from '../../contracts/tables';
import { acknowledge } from './compliance';

/** Tables whose items expire within hours and are never worth restoring from a backup. */
const EPHEMERAL_TABLES: ReadonlySet<TableId> = new Set<TableId>(['Idempotency']);

export interface StorageProps {
  readonly encryptionKey: kms.IKey;
  /** `RETAIN` in production. */
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
  /**
   * Daily AWS Backup of the durable tables, kept `deleteAfterDays`; or `'syntheticDataOnly'`: no
   * backup plan, point-in-time recovery alone, for an environment whose config declares that its
   * tables hold generated, re-seedable data only (config validation refuses that declaration for
   * production: see `syntheticDataOnly` in lib/config/environment.ts).
   */
  readonly backup: { readonly deleteAfterDays: number } | 'syntheticDataOnly';
}

/** Why the durable tables of a `syntheticDataOnly` environment have no backup plan: exactly when it applies. */
export const SYNTHETIC_DATA_BACKUP_REASON =
  'No AWS Backup plan because this environment declares syntheticDataOnly in its cdk.json config: its tables hold generated, re-seedable data only, and 35-day point-in-time recovery is the recovery mechanism. Synth-time config validation refuses that declaration for an environment whose name contains "prod" or that sets removalPolicy retain or deletionProtection; every other environment gets the daily backup plan instead of this acknowledgement.';

const attribute = (name: string): dynamodb.Attribute => ({
  name,
  type: NUMERIC_KEY_ATTRIBUTES.has(name) ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING,
});

/**
 * The four HEM tables from `contracts/tables.ts`: on-demand, encrypted with the customer key,
 * point-in-time recovery (35 days), TTL and GSIs as the contract says, deletion protection and
 * retention as the environment says, plus a daily AWS Backup plan for the durable tables.
 */
export class Storage extends Construct {
  readonly tables: Record<TableId, dynamodb.Table>;
  readonly backupPlan?: backup.BackupPlan;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const tables: Partial<Record<TableId, dynamodb.Table>> = {};
    for (const definition of TABLES) {
      tables[definition.id] = this.createTable(definition, props);
    }
    this.tables = tables as Record<TableId, dynamodb.Table>;

    const durable = TABLES.filter((t) => !EPHEMERAL_TABLES.has(t.id)).map((t) => this.tables[t.id]);
    for (const t of TABLES.filter((d) => EPHEMERAL_TABLES.has(d.id))) {
      acknowledge(
        this.tables[t.id],
        'HIPAA.Security-DynamoDBInBackupPlan',
        'Holds only Powertools idempotency records that expire by TTL within hours; restoring them from a backup has no value and point-in-time recovery covers accidental loss.',
      );
    }

    if (props.backup === 'syntheticDataOnly') {
      for (const table of durable) {
        acknowledge(table, 'HIPAA.Security-DynamoDBInBackupPlan', SYNTHETIC_DATA_BACKUP_REASON);
      }
      return;
    }

    const vault = new backup.BackupVault(this, 'Vault', {
      encryptionKey: props.encryptionKey,
      // A vault that still holds recovery points cannot be deleted; keep it with its backups.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupPlan = new backup.BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          scheduleExpression: events.Schedule.cron({ hour: '5', minute: '0' }),
          startWindow: Duration.hours(1),
          completionWindow: Duration.hours(4),
          deleteAfter: Duration.days(props.backup.deleteAfterDays),
        }),
      ],
    });
    const selection = this.backupPlan.addSelection('DurableTables', {
      resources: durable.map((t) => backup.BackupResource.fromDynamoDbTable(t)),
      allowRestores: false,
    });
    acknowledge(
      selection,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      'AWS Backup service role: AWSBackupServiceRolePolicyForBackup is the AWS-maintained policy AWS Backup documents for this role and tracks new backup APIs; the role is assumable by backup.amazonaws.com only.',
    );
  }

  private createTable(definition: TableDefinition, props: StorageProps): dynamodb.Table {
    const table = new dynamodb.Table(this, definition.id, {
      partitionKey: attribute(definition.partitionKey),
      sortKey: definition.sortKey === undefined ? undefined : attribute(definition.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      timeToLiveAttribute: definition.timeToLiveAttribute,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    for (const index of definition.globalSecondaryIndexes ?? []) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey === undefined ? undefined : attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    return table;
  }
}
