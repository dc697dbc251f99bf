/**
 * cdk-nag acknowledgements, kept honest: one finding per acknowledgement, a reason that states the
 * decision, and IAM wildcard findings acknowledged only when they match a documented allowance.
 */
import { Stack, Validations, type IAspect } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import { rules } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const FINDING_ID = /^(AwsSolutions|HIPAA\.Security|Serverless)-[A-Za-z0-9]+(\[[^\]]+\])?$/;
const GRANULAR_RULES = ['AwsSolutions-IAM4', 'AwsSolutions-IAM5'];
const WEAK_REASON = /\b(todo|later|future|temporar(y|ily)|demo|for now)\b/i;

/**
 * Acknowledges exactly one cdk-nag finding on `scope` (and its children).
 *
 * @param scope - the narrowest construct the decision applies to
 * @param id - one finding id, e.g. `AwsSolutions-SQS3` or `AwsSolutions-IAM5[Resource::*]`
 * @param reason - why the finding is acceptable here (at least 40 characters, no "todo"/"later")
 * @throws Error when the id is not a single finding or the reason is not a real reason
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (!FINDING_ID.test(id)) {
    throw new Error(`acknowledge(${scope.node.path}): "${id}" is not a single cdk-nag finding id`);
  }
  if (GRANULAR_RULES.some((rule) => id === rule)) {
    throw new Error(`acknowledge(${scope.node.path}): ${id} findings are granular; name the finding, e.g. ${id}[Resource::*]`);
  }
  if (reason.trim().length < 40 || WEAK_REASON.test(reason)) {
    throw new Error(`acknowledge(${scope.node.path}, ${id}): give a real reason (40+ characters, no todo/later)`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/** What a statement looks like once resolved to CloudFormation. */
interface ResolvedStatement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

const toArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * APIs that have no resource-level permissions, so `Resource: *` is the only valid form.
 * X-Ray (Lambda active tracing, Step Functions tracing) and the CloudWatch Logs vended-log delivery
 * APIs Step Functions needs to deliver execution logs.
 */
const RESOURCE_STAR_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

/** Logical ids of resources of one CloudFormation type in the stack. */
function logicalIdsOf(stack: Stack, type: string): Set<string> {
  const ids = new Set<string>();
  for (const c of stack.node.findAll()) {
    if (c instanceof dynamodb.CfnTable && type === dynamodb.CfnTable.CFN_RESOURCE_TYPE_NAME) {
      ids.add(stack.resolve(c.logicalId) as string);
    }
    if (c instanceof kms.CfnKey && type === kms.CfnKey.CFN_RESOURCE_TYPE_NAME) {
      ids.add(stack.resolve(c.logicalId) as string);
    }
  }
  return ids;
}

/** The logical id in a `Fn::GetAtt [X, Arn]` resource, if that is what the resource is. */
function getAttArnOf(resource: unknown): string | undefined {
  if (resource !== null && typeof resource === 'object' && 'Fn::GetAtt' in resource) {
    const [id, attr] = (resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
    return attr === 'Arn' ? id : undefined;
  }
  return undefined;
}

/** One kind of wildcard we accept, with the check that proves the finding is that kind. */
interface WildcardAllowance {
  readonly reason: string;
  matches(finding: string, statements: readonly ResolvedStatement[], stack: Stack): boolean;
}

const WILDCARD_ALLOWANCES: readonly WildcardAllowance[] = [
  {
    reason:
      'Only X-Ray tracing and CloudWatch Logs vended-log-delivery actions use Resource "*": these APIs have no resource-level permissions (IAM service authorization reference).',
    matches: (finding, statements) =>
      finding === 'Resource::*' &&
      statements
        .filter((s) => s.Effect === 'Allow' && toArray(s.Resource as string | string[]).includes('*'))
        .every((s) => toArray(s.Action).every((a) => RESOURCE_STAR_ACTIONS.has(a))),
  },
  {
    reason:
      'KMS action families (GenerateDataKey*, ReEncrypt*) granted by CDK for SSE on one named customer-managed key of this stack; the resource is that key ARN, never "*".',
    matches: (finding, statements, stack) => {
      const m = /^Action::(kms:GenerateDataKey\*|kms:ReEncrypt\*)$/.exec(finding);
      if (m === null) return false;
      const keys = logicalIdsOf(stack, kms.CfnKey.CFN_RESOURCE_TYPE_NAME);
      return statements
        .filter((s) => s.Effect === 'Allow' && toArray(s.Action).includes(m[1]!))
        .every((s) => toArray(s.Resource).every((r) => keys.has(getAttArnOf(r) ?? '')));
    },
  },
  {
    reason:
      'Query access to the global secondary indexes of one named DynamoDB table of this stack (table ARN + "/index/*"), as generated by the CDK table grant.',
    matches: (finding, _statements, stack) => {
      const m = /^Resource::<([A-Za-z0-9]+)\.Arn>\/index\/\*$/.exec(finding);
      return m !== null && logicalIdsOf(stack, dynamodb.CfnTable.CFN_RESOURCE_TYPE_NAME).has(m[1]!);
    },
  },
];

const INLINE_POLICY_REASON =
  'Grant policy attached to exactly one role of this stack and deleted with it; IAM recommends inline policies for a strict one-to-one policy-identity relationship, and each statement is scoped to named resources.';

/**
 * Reviews every IAM policy in the scope at synth time: acknowledges an `AwsSolutions-IAM5` finding
 * only when it matches one of the documented allowances (anything else stays an error), and
 * acknowledges `HIPAA.Security-IAMNoInlinePolicy` for policies attached to roles only (never users or groups).
 */
export class IamPolicyReview implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy)) {
      return;
    }
    const stack = Stack.of(node);
    const findings = rules.iam.IAMNoWildcardPermissions(node);
    if (Array.isArray(findings)) {
      const document = stack.resolve(node.policyDocument) as { Statement?: ResolvedStatement[] };
      const statements = document.Statement ?? [];
      for (const finding of findings) {
        const allowance = WILDCARD_ALLOWANCES.find((a) => a.matches(finding, statements, stack));
        if (allowance !== undefined) {
          acknowledge(node, `AwsSolutions-IAM5[${finding}]`, allowance.reason);
        }
      }
    }
    const attachedTo = (v: unknown): unknown[] => (stack.resolve(v) as unknown[] | undefined) ?? [];
    if (attachedTo(node.roles).length > 0 && attachedTo(node.users).length === 0 && attachedTo(node.groups).length === 0) {
      acknowledge(node, 'HIPAA.Security-IAMNoInlinePolicy', INLINE_POLICY_REASON);
    }
  }
}

/** Every acknowledgement recorded under `scope`, as `{ path, id, reason }` rows (for reports and tests). */
export function listAcknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  const rows: { path: string; id: string; reason: string }[] = [];
  for (const c of scope.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data !== undefined) {
        for (const [key, reason] of Object.entries(entry.data as Record<string, string>)) {
          rows.push({ path: c.node.path, id: key.replace(/^annotation::/i, ''), reason });
        }
      }
    }
  }
  return rows;
}
