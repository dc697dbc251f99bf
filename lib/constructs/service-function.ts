import * as path from 'node:path';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './compliance';
import { LAMBDA_BUNDLING, LAMBDA_NODE_ENVIRONMENT, aliasEsbuildArgs } from './lambda-bundling';

export interface ServiceFunctionProps {
  /** Repository root: the bundling project root and the base of `entry`. */
  readonly projectRoot: string;
  /** Handler module path relative to `projectRoot` (from contracts/functions.ts). */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Reserved concurrency: caps the blast radius of one function and satisfies HIPAA LambdaConcurrency. */
  readonly reservedConcurrentExecutions: number;
  /** Customer key for the function's log group. */
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Receives events of failed asynchronous invocations (HIPAA LambdaDLQ). */
  readonly asyncDeadLetterQueue: sqs.IQueue;
  /** Powertools service name (structured logs and the EMF `service` dimension). */
  readonly serviceName: string;
  /** Powertools EMF namespace. */
  readonly metricsNamespace: string;
  /** Extra environment (table names, bus name...). */
  readonly environment?: Record<string, string>;
  /**
   * Partner systems outside AWS the function calls over HTTPS, each named by the environment
   * variable holding its base URL (e.g. `HEM_ERP_URL`). Empty for functions that call AWS APIs only.
   */
  readonly partnerEndpoints?: readonly string[];
}

/**
 * Why the function runs outside a VPC, stated for what it actually calls. Neither variant claims an
 * egress control: there is none, and the README (Security) names the VPC + egress firewall follow-up.
 */
export function noVpcReason(partnerEndpoints: readonly string[]): string {
  const noFilter =
    'No egress filtering exists: outside a VPC the function can open outbound connections to any internet address, and IAM limits only which AWS resources it can use. ';
  const followUp =
    'Restricting egress needs a VPC with private subnets, VPC endpoints for the AWS services and NAT through an egress firewall (e.g. AWS Network Firewall) allow-listing the partner hosts: an open follow-up documented in the README (Security), not built.';
  if (partnerEndpoints.length === 0) {
    return (
      'Runs outside a VPC: its code calls only AWS service APIs (TLS, SigV4) and no VPC-resident resource exists to reach. ' +
      noFilter +
      'What bounds it: a least-privilege role scoped to named resources, reserved concurrency, and handlers that make no other outbound call. ' +
      followUp
    );
  }
  return (
    `Connector outside a VPC: besides AWS service APIs it calls a partner endpoint over the public internet (base URL in ${partnerEndpoints.join(', ')}, https:// enforced by config validation at synth). ` +
    noFilter +
    'What bounds it: it receives only PHI-free canonical messages (opaque encounter references, never patient data), its role reaches only its listed tables, queues and workflows, and the partner URL is fixed at synth. ' +
    followUp
  );
}

/**
 * One HEM Lambda function with the house defaults: Node.js 24 on arm64, ESM bundle built by the
 * local esbuild (minified, source maps, AWS SDK v3 from the runtime), active tracing, JSON logs into
 * its own KMS-encrypted log group with retention, reserved concurrency, an async-invocation DLQ, and
 * its own role that can write only its own logs. PHI-safe Powertools settings are forced here.
 */
export class ServiceFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });

    // Own role instead of AWSLambdaBasicExecutionRole: logs are writable only to this function's group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      // IAM descriptions accept Latin-1 only; contract descriptions use arrows.
      description: `HEM ${id}: ${props.description}`.replace(/→/g, '->').replace(/[^\t\n\r\x20-\x7E\xA1-\xFF]/g, '?').slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);
    // Lambda sends failed async events with the function's role; the DLQ is KMS-encrypted, so the
    // role also needs the key (CDK's deadLetterQueue wiring grants sqs:SendMessage only).
    props.asyncDeadLetterQueue.grantSendMessages(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(props.projectRoot, props.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
      description: props.description.slice(0, 256),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      deadLetterQueue: props.asyncDeadLetterQueue,
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      environment: {
        ...LAMBDA_NODE_ENVIRONMENT,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
        // PHI never leaves the handler through the observability side channels.
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        ...props.environment,
      },
      // The one bundling definition, shared with the bench so it measures what is deployed.
      bundling: {
        format: LAMBDA_BUNDLING.format === 'esm' ? nodejs.OutputFormat.ESM : nodejs.OutputFormat.CJS,
        target: LAMBDA_BUNDLING.target,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        banner: LAMBDA_BUNDLING.banner,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: LAMBDA_BUNDLING.sourceMap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        define: { ...LAMBDA_BUNDLING.define },
        esbuildArgs: aliasEsbuildArgs(),
        forceDockerBundling: false,
      },
    });

    acknowledge(this.function, 'HIPAA.Security-LambdaInsideVPC', noVpcReason(props.partnerEndpoints ?? []));
  }

  /** Adds (or replaces) one environment variable after construction, e.g. URLs of resources created later. */
  addEnvironment(key: string, value: string): void {
    this.function.addEnvironment(key, value);
  }
}
