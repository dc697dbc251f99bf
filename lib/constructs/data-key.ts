import type { RemovalPolicy} from 'aws-cdk-lib';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface DataKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly aliasName: string;
  /** `RETAIN` in production: data encrypted under a deleted key is unrecoverable. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The customer-managed KMS key that encrypts HEM data at rest: tables, queues, log groups, the
 * alarm topic, the state machine and the encounter-key secret. Rotation is on (AwsSolutions-KMS5)
 * and the key policy lets CloudWatch Logs and CloudWatch alarms use it, scoped to this account.
 */
export class DataKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: DataKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: `HEM data at rest (${stack.stackName})`,
      alias: `alias/${props.aliasName}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy,
    });

    // CloudWatch Logs encrypts log groups with the key in the log group's own encryption context.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsForThisAccountLogGroups',
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    // CloudWatch alarms publish to the KMS-encrypted alarm topic.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublishToEncryptedTopics',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
  }

  /**
   * Lets EventBridge encrypt messages it delivers to SQS queues encrypted with this key (targets
   * and target dead-letter queues) for rules on one bus. CDK adds this grant for queue targets
   * but not for a target's dead-letter queue.
   *
   * @param busName - the bus whose rules deliver to the queues
   */
  allowEventBridgeDelivery(busName: string): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowEventBridgeRulesToDeliverToEncryptedQueues',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: `${busName}/*` }) },
        },
      }),
    );
  }
}
