import { readFileSync } from 'node:fs';
import type { RemovalPolicy } from 'aws-cdk-lib';
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
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
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Execution timeout (Express workflows stop at 5 minutes regardless). */
  readonly timeout?: Duration;
}

/**
 * A Step Functions state machine whose definition is an ASL file loaded inline
 * (`DefinitionBody.fromString` + `definitionSubstitutions`), so cdk-nag and cfn-lint see it and no S3
 * asset is involved. Logs ALL events without execution data (payloads may carry identifiers that
 * must stay out of logs), X-Ray tracing, customer-managed KMS encryption, least-privilege grants.
 */
export class StateMachineFromAsl extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;
  /** Placeholders found in the ASL file. */
  readonly placeholders: readonly string[];
  private readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: StateMachineFromAslProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;

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
      timeout: props.timeout,
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
  }

  /**
   * Allows `grantee` to start executions, including the KMS data key Step Functions generates for
   * the execution input under this state machine's encryption context.
   */
  grantStartExecution(grantee: iam.IGrantable): void {
    this.stateMachine.grantStartExecution(grantee);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:aws:states:stateMachineArn': this.stateMachine.stateMachineArn },
        },
      }),
    );
  }
}
