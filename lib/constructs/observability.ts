import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './resilient-queue';

/** Business metrics the handlers emit (Powertools EMF) that the dashboard charts. */
export const BUSINESS_METRICS = [
  'UsageEventsProcessed',
  'ReordersTriggered',
  'RequisitionsCreated',
  'PurchaseOrdersIssued',
  'GoodsReceipts',
  'InvoicesMatched',
  'InvoiceExceptions',
  'ApVouchersPosted',
  'ProcurementAlerts',
  'AcknowledgmentPriceChangesHeld',
] as const;

/**
 * Business metrics that page an operator whenever they are emitted at all (Sum > 0 over 5 minutes).
 * `ProcurementAlerts` counts every overdue approval, 855, 856, receipt, matched invoice or invoice
 * resolution and every refused order: the workflows keep waiting after such a timeout, so the alarm
 * is what keeps the wait from being silent.
 */
export const OPERATOR_ALERT_METRICS: readonly { metricName: string; description: string }[] = [
  {
    metricName: 'ProcurementAlerts',
    description:
      'A procure-to-pay workflow raised an operator alert (ProcurementAlertRaised): an approval, supplier 855/856/810, receipt or invoice resolution is overdue, or a supplier refused an order. Find it with GET /v1/transactions/{correlationId} or the ProcurementAlertRaised events.',
  },
];

export interface ObservabilityProps {
  readonly dashboardName: string;
  readonly encryptionKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail?: string;
  /** EMF namespace of the business metrics. */
  readonly metricsNamespace: string;
  /** Powertools service name: the `service` dimension every business metric carries. */
  readonly serviceName: string;
  readonly restApi: apigw.RestApi;
  readonly functions: ReadonlyMap<string, lambda.IFunction>;
  readonly stateMachines: ReadonlyMap<string, sfn.IStateMachine>;
  /** Work queues (depth and age of oldest message). */
  readonly queues: ReadonlyMap<string, sqs.IQueue>;
  /** Every dead-letter queue: each gets a depth > 0 alarm. */
  readonly deadLetterQueues: ReadonlyMap<string, sqs.IQueue>;
  /** @default 3000 ms */
  readonly apiLatencyP99ThresholdMs?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The operator's view: one dashboard (API, functions, workflows, queues, DLQs, business KPIs) and
 * alarms on every DLQ depth > 0, workflow failures, API 5xx and API p99 latency, all notifying a
 * KMS-encrypted, TLS-only SNS topic.
 */
export class Observability extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  /** Alarm id → alarm. */
  readonly alarms = new Map<string, cloudwatch.Alarm>();
  private readonly alarmAction: actions.SnsAction;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `HEM alarms (${stack.stackName})`,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.alarmAction = new actions.SnsAction(this.alarmTopic);

    const deadLetterQueues = new Map(props.deadLetterQueues);
    if (props.alarmEmail !== undefined) {
      const undelivered = new DeadLetterQueue(this, 'AlarmEmailDlq', {
        encryptionKey: props.encryptionKey,
        removalPolicy: props.removalPolicy,
        purpose: 'the alarm e-mail subscription',
        source: 'sns-subscription',
      }).queue;
      // SNS encrypts what it moves into the CMK-encrypted DLQ.
      props.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowSnsToDeadLetterUndeliveredAlarms',
          principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail, { deadLetterQueue: undelivered }));
      deadLetterQueues.set('alarm-email-dlq', undelivered);
    }

    for (const [name, queue] of deadLetterQueues) {
      this.addAlarm(`${name}-depth`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `Dead letters in ${name}: inspect and redrive with "hem dlq show/redrive ${name}".`,
      });
    }
    for (const [name, machine] of props.stateMachines) {
      this.addAlarm(`${name}-failures`, {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0) + FILL(aborted, 0)',
          usingMetrics: {
            failed: machine.metricFailed({ period: FIVE_MINUTES }),
            timedOut: machine.metricTimedOut({ period: FIVE_MINUTES }),
            aborted: machine.metricAborted({ period: FIVE_MINUTES }),
          },
          period: FIVE_MINUTES,
          label: `${name} failed executions`,
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: `${name} executions failed, timed out or were aborted.`,
      });
    }
    for (const { metricName, description } of OPERATOR_ALERT_METRICS) {
      this.addAlarm(`${metricName}-raised`, {
        metric: new cloudwatch.Metric({
          namespace: props.metricsNamespace,
          metricName,
          // Powertools Metrics' default dimension: exactly the series the handlers emit.
          dimensionsMap: { service: props.serviceName },
          statistic: 'Sum',
          period: FIVE_MINUTES,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        alarmDescription: description,
      });
    }
    this.addAlarm('api-5xx', {
      metric: props.restApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      alarmDescription: 'The partner API answered 5xx.',
    });
    const latencyThreshold = props.apiLatencyP99ThresholdMs ?? 3000;
    this.addAlarm('api-latency-p99', {
      metric: props.restApi.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' }),
      threshold: latencyThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      alarmDescription: `Partner API p99 latency above ${latencyThreshold} ms for 15 minutes.`,
    });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(...this.apiWidgets(props.restApi));
    this.dashboard.addWidgets(...this.computeWidgets(props.functions, props.stateMachines));
    this.dashboard.addWidgets(...this.queueWidgets(props.queues, deadLetterQueues));
    this.dashboard.addWidgets(...this.businessWidgets(props.metricsNamespace));
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms.values()], width: 24, height: 4 }),
    );
  }

  private addAlarm(
    id: string,
    props: Omit<cloudwatch.CreateAlarmOptions, 'treatMissingData' | 'actionsEnabled'> & { metric: cloudwatch.IMetric },
  ): void {
    const { metric, ...options } = props;
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      ...options,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      actionsEnabled: true,
    });
    alarm.addAlarmAction(this.alarmAction);
    alarm.addOkAction(this.alarmAction);
    this.alarms.set(id, alarm);
  }

  private apiWidgets(api: apigw.RestApi): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'API requests and errors',
        left: [api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum', label: 'requests' })],
        right: [
          api.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum', label: '4xx' }),
          api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum', label: '5xx' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'API latency',
        left: [
          api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50', label: 'p50' }),
          api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99', label: 'p99' }),
        ],
        width: 12,
      }),
    ];
  }

  private computeWidgets(
    functions: ReadonlyMap<string, lambda.IFunction>,
    stateMachines: ReadonlyMap<string, sfn.IStateMachine>,
  ): cloudwatch.IWidget[] {
    const workflowMetrics = [...stateMachines].flatMap(([name, m]) => [
      m.metricStarted({ period: FIVE_MINUTES, label: `${name} started` }),
      m.metricSucceeded({ period: FIVE_MINUTES, label: `${name} succeeded` }),
      m.metricFailed({ period: FIVE_MINUTES, label: `${name} failed` }),
      m.metricTimedOut({ period: FIVE_MINUTES, label: `${name} timed out` }),
    ]);
    return [
      new cloudwatch.GraphWidget({
        title: 'Lambda errors',
        left: [...functions].map(([name, f]) => f.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum', label: name })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({ title: 'Workflow executions', left: workflowMetrics, width: 12 }),
    ];
  }

  private queueWidgets(
    queues: ReadonlyMap<string, sqs.IQueue>,
    deadLetterQueues: ReadonlyMap<string, sqs.IQueue>,
  ): cloudwatch.IWidget[] {
    return [
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: [...queues].map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name })),
        right: [...queues].map(([name, q]) => q.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', label: `${name} oldest (s)` })),
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [...deadLetterQueues].map(([name, q]) => q.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', label: name })),
        width: 12,
      }),
    ];
  }

  private businessWidgets(namespace: string): cloudwatch.IWidget[] {
    // SEARCH sums every dimension set the handlers emit (service, function...), so the chart does not
    // depend on how each handler dimensions its metrics.
    return BUSINESS_METRICS.map(
      (metricName) =>
        new cloudwatch.GraphWidget({
          title: metricName,
          left: [
            new cloudwatch.MathExpression({
              expression: `SUM(SEARCH('{${namespace}} MetricName="${metricName}"', 'Sum', 300))`,
              label: metricName,
              period: FIVE_MINUTES,
            }),
          ],
          width: 12,
        }),
    );
  }
}
