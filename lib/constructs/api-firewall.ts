import { ArnFormat, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface ApiFirewallProps {
  /** The REST API stage the web ACL protects. */
  readonly stage: apigw.Stage;
  /** Requests per client IP per 5 minutes before the rate rule blocks. */
  readonly rateLimitPer5Minutes: number;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

const managedRuleGroup = (
  name: string,
  priority: number,
  ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
): wafv2.CfnWebACL.RuleProperty => ({
  name: `AWS-${name}`,
  priority,
  overrideAction: { none: {} },
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
  visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `AWS-${name}`, sampledRequestsEnabled: false },
});

/**
 * WAFv2 web ACL on the API stage: AWS common rules and known bad inputs, plus a per-IP rate rule;
 * logged to a KMS-encrypted log group with the Authorization header redacted. Sampled requests are
 * off because they would store request samples outside our retention and encryption controls.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const metricPrefix = stack.stackName.replace(/[^A-Za-z0-9]/g, '');

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      description: 'HEM partner API protection',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${metricPrefix}WebAcl`, sampledRequestsEnabled: false },
      rules: [
        // FHIR Bundles and X12 interchanges are routinely larger than the rule set's 8 KB body limit.
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 10, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 20),
        {
          name: 'RatePerClientIp',
          priority: 30,
          action: { block: {} },
          statement: {
            rateBasedStatement: { limit: props.rateLimitPer5Minutes, aggregateKeyType: 'IP', evaluationWindowSec: 300 },
          },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `${metricPrefix}RatePerClientIp`, sampledRequestsEnabled: false },
        },
      ],
    });

    new wafv2.CfnWebACLAssociation(this, 'StageAssociation', {
      resourceArn: props.stage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    // WAF only delivers to log groups named aws-waf-logs-*, addressed by ARN without the ':*' suffix.
    const logGroupName = `aws-waf-logs-${stack.stackName}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }],
    });
    logging.node.addDependency(logGroup);
  }
}
