import { readFileSync } from 'node:fs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/**
 * The `${Name}` placeholders used in an ASL document (definitionSubstitutions syntax), sorted and unique.
 *
 * @param asl - the ASL document text
 * @returns placeholder names without `${` and `}`
 */
export function findAslPlaceholders(asl: string): string[] {
  return [...new Set([...asl.matchAll(/\$\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!))].sort();
}

export interface StateMachineFromAslProps {
  /** Absolute path of the `*.asl.json` file (the same file the local runtime executes). */
  readonly definitionFile: string;
  /** Physical name; also keeps the KMS encryption-context condition free of a dependency cycle. */
  readonly stateMachineName: string;
  readonly stateMachineType: sfn.StateMachineType;
  /** Value for every `${Placeholder}` in the file; synth fails if one is missing. */
  readonly substitutions: Record<string, string>;
  /** Lambda functions the definition invokes (unqualified ARNs, granted `lambda:InvokeFunction`). */
  readonly invokedFunctions: readonly lambda.IFunction[];
  /** Bus the definition publishes to with `events:putEvents`. */
  readonly eventBus?: events.IEventBus;
  /** Queues the definition sends to with `sqs:sendMessage` (granted send, and the queue key's encrypt). */
  readonly sendsToQueues?: readonly sqs.IQueue[];
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A Step Functions state machine whose definition is an ASL file loaded inline
 * (`DefinitionBody.fromString` + `definitionSubstitutions`), so cdk-nag and cfn-lint see it and no S3
 * asset is involved. Execution timeouts belong to the ASL file (top-level or per-state
 * `TimeoutSeconds`): CDK's `timeout` only applies to definitions built from CDK states, so it is not
 * offered here. Logs ALL events without execution data (payloads may carry identifiers that
 * must stay out of logs), X-Ray tracing, customer-managed KMS encryption, least-privilege grants.
 */
export class StateMachineFromAsl extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /**
   * The state machine's ARN built from its physical name (`Stack.formatArn`), not a reference to the
   * resource. The functions the definition invokes need it (to start executions, answer task tokens)
   * while the state machine already depends on them through its definition substitutions: a
   * `Ref`/`GetAtt` would close a CloudFormation dependency cycle, this string does not.
   */
  readonly stateMachineArn: string;
  readonly logGroup: logs.LogGroup;
  /** Placeholders found in the ASL file. */
  readonly placeholders: readonly string[];
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StateMachineFromAslProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.stateMachineArn = Stack.of(this).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: props.stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const asl = readFileSync(props.definitionFile, 'utf8');
    try {
      JSON.parse(asl);
    } catch (cause) {
      throw new Error(`${props.definitionFile}: not valid JSON (${(cause as Error).message})`, { cause });
    }
    this.placeholders = findAslPlaceholders(asl);
    const missing = this.placeholders.filter((p) => !(p in props.substitutions));
    if (missing.length > 0) {
      throw new Error(
        `${props.definitionFile}: no substitution for ${missing.map((m) => '${' + m + '}').join(', ')} ` +
          `(available: ${Object.keys(props.substitutions).join(', ')})`,
      );
    }
    // Only the placeholders the file uses, so the template carries no dangling substitutions.
    const definitionSubstitutions = Object.fromEntries(this.placeholders.map((p) => [p, props.substitutions[p]!]));

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps CloudWatch Logs' resource policy within its size limit.
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: props.stateMachineType,
      definitionBody: sfn.DefinitionBody.fromString(asl),
      definitionSubstitutions,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(props.encryptionKey, Duration.minutes(5)),
      removalPolicy: props.removalPolicy,
    });

    // Unqualified ARNs only: the ASL references `${...FunctionArn}`, never a version or alias.
    if (props.invokedFunctions.length > 0) {
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: props.invokedFunctions.map((f) => f.functionArn),
        }),
      );
    }
    props.eventBus?.grantPutEventsTo(this.stateMachine);
    for (const queue of props.sendsToQueues ?? []) {
      queue.grantSendMessages(this.stateMachine);
    }
  }

  /**
   * Allows `grantee` to start executions (`states:StartExecution` on this state machine only),
   * including the KMS data key Step Functions generates for the execution input under this state
   * machine's encryption context. Uses `stateMachineArn`, so a function the definition invokes can be
   * granted without a dependency cycle.
   */
  grantStartExecution(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachineArn] }),
    );
    this.grantExecutionDataKey(grantee);
  }

  /**
   * Allows `grantee` to answer this state machine's task tokens (`.waitForTaskToken` tasks):
   * `states:SendTaskSuccess` and `states:SendTaskFailure`, plus the KMS data key Step Functions uses
   * to encrypt the output or error it records. Step Functions authorizes these calls against the ARN
   * of the state machine that issued the token (as CDK's `grantTaskResponse` does), so the grant is
   * scoped to this state machine, not `*`. `SendTaskHeartbeat` is left out: no HEM task declares
   * `HeartbeatSeconds`.
   */
  grantTaskResponse(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'], resources: [this.stateMachineArn] }),
    );
    this.grantExecutionDataKey(grantee);
  }

  /** kms:GenerateDataKey/Decrypt on the state machine's key, only under this state machine's encryption context. */
  private grantExecutionDataKey(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': this.stateMachineArn },
        },
      }),
    );
  }
}
