import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionId } from '../../contracts/functions';
import type { RouteDefinition, Scope } from '../../contracts/routes';
import type { PartnerConfig } from '../config/environment';
import { acknowledge } from './compliance';

/** The Cognito resource server whose scopes are `hem/<name>`. */
export const RESOURCE_SERVER_IDENTIFIER = 'hem';

const isJsonContentType = (t: string): boolean => t === 'application/json' || t.endsWith('+json');
const pathParameters = (path: string): string[] => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);

export interface ApiProps {
  /** The route table (contracts/routes.ts ROUTES). */
  readonly routes: readonly RouteDefinition[];
  /** Every `${prefix}/...` scope the resource server offers (contracts/routes.ts SCOPES). */
  readonly scopes: readonly Scope[];
  /** Deployed functions by contract id. */
  readonly functions: Readonly<Record<FunctionId, lambda.IFunction>>;
  /** One OAuth2 client-credentials app client per partner. */
  readonly partners: readonly PartnerConfig[];
  readonly cognitoDomainPrefix: string;
  readonly stageName: string;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly encryptionKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

/**
 * The partner REST API `/v1/...` built from the route table, and its identity provider: a Cognito
 * user pool used only for OAuth2 client credentials (one app client per partner, scopes per route),
 * IAM SigV4 for `/v1/ops/*`, request validation, JSON access logs and execution logs (no data
 * trace) in KMS-encrypted log groups, X-Ray, stage throttling, caching off.
 */
export class Api extends Construct {
  readonly restApi: apigw.RestApi;
  readonly userPool: cognito.UserPool;
  readonly domain: cognito.UserPoolDomain;
  readonly resourceServer: cognito.UserPoolResourceServer;
  /** Partner name → its app client. */
  readonly partnerClients = new Map<string, cognito.UserPoolClient>();
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Machine-to-machine only: nobody signs up or signs in; partners use client credentials.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.NONE,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.deletionProtection,
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG8',
      'Plus-tier threat protection evaluates user sign-up and sign-in; this pool has no users (self sign-up off, client-credentials grants only), so Plus would add per-user cost without covering any flow in use.',
    );

    const scopeByName = new Map(
      props.scopes.map((s) => {
        if (!s.startsWith(`${RESOURCE_SERVER_IDENTIFIER}/`)) {
          throw new Error(`scope "${s}" does not belong to the "${RESOURCE_SERVER_IDENTIFIER}" resource server`);
        }
        const name = s.slice(RESOURCE_SERVER_IDENTIFIER.length + 1);
        return [s, new cognito.ResourceServerScope({ scopeName: name, scopeDescription: `HEM ${name}` })];
      }),
    );
    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER_IDENTIFIER,
      userPoolResourceServerName: 'HEM partner API',
      scopes: [...scopeByName.values()],
    });
    for (const partner of props.partners) {
      this.partnerClients.set(
        partner.name,
        this.userPool.addClient(`Partner-${partner.name}`, {
          userPoolClientName: partner.name,
          generateSecret: true,
          authFlows: {},
          oAuth: {
            flows: { clientCredentials: true },
            scopes: partner.scopes.map((s) => cognito.OAuthScope.resourceServer(this.resourceServer, scopeByName.get(s as Scope)!)),
          },
          accessTokenValidity: Duration.hours(1),
          enableTokenRevocation: true,
          preventUserExistenceErrors: true,
        }),
      );
    }
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: props.cognitoDomainPrefix } });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });

    this.restApi = new apigw.RestApi(this, 'RestApi', {
      description: 'HEM partner API (/v1)',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Execution logging needs the account-level API Gateway CloudWatch role; it outlives any one stack.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            extendedRequestId: apigw.AccessLogField.contextExtendedRequestId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            sourceIp: apigw.AccessLogField.contextIdentitySourceIp(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            protocol: apigw.AccessLogField.contextProtocol(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            responseLatency: apigw.AccessLogField.contextResponseLatency(),
            integrationLatency: apigw.AccessLogField.contextIntegrationLatency(),
            clientId: apigw.AccessLogField.contextAuthorizerClaims('client_id'),
            callerArn: apigw.AccessLogField.contextIdentityUserArn(),
            wafResponseCode: apigw.AccessLogField.contextWafResponseCode(),
            errorMessage: apigw.AccessLogField.contextErrorMessage(),
            xrayTraceId: apigw.AccessLogField.contextXrayTraceId(),
          }),
        ),
        loggingLevel: apigw.MethodLoggingLevel.INFO,
        // Request and response bodies may carry PHI: never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
        throttlingRateLimit: props.throttlingRateLimit,
        throttlingBurstLimit: props.throttlingBurstLimit,
        cachingEnabled: false,
      },
    });

    // Pre-create the execution log group API Gateway writes to, so it has retention and encryption.
    const executionLogs = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.restApi.restApiId}/${props.stageName}`,
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    this.restApi.deploymentStage.node.addDependency(executionLogs);

    this.acknowledgeStageDecisions();
    this.addRoutes(props);
  }

  /** The OAuth2 token endpoint of the Cognito domain. */
  get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }

  private addRoutes(props: ApiProps): void {
    const authorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      identitySource: apigw.IdentitySource.header('Authorization'),
      resultsCacheTtl: Duration.minutes(5),
    });
    const bodyAndParams = new apigw.RequestValidator(this, 'BodyAndParamsValidator', {
      restApi: this.restApi,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const paramsOnly = new apigw.RequestValidator(this, 'ParamsValidator', {
      restApi: this.restApi,
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    // Bodies are validated in depth by the handlers (zod, FHIR); the gateway rejects non-objects early.
    const jsonObject = this.restApi.addModel('JsonObject', {
      contentType: 'application/json',
      modelName: 'JsonObject',
      schema: { schema: apigw.JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: apigw.JsonSchemaType.OBJECT },
    });

    const integrations = new Map<FunctionId, apigw.LambdaIntegration>();
    for (const route of props.routes) {
      let integration = integrations.get(route.functionId);
      if (integration === undefined) {
        integration = new apigw.LambdaIntegration(props.functions[route.functionId], { proxy: true, allowTestInvoke: false });
        integrations.set(route.functionId, integration);
      }
      const hasBody = route.method === 'POST' || route.method === 'PUT';
      const jsonTypes = (route.contentTypes ?? []).filter(isJsonContentType);
      const options: apigw.MethodOptions = {
        requestValidator: hasBody ? bodyAndParams : paramsOnly,
        requestParameters: Object.fromEntries(pathParameters(route.path).map((p) => [`method.request.path.${p}`, true])),
        requestModels: jsonTypes.length > 0 ? Object.fromEntries(jsonTypes.map((t) => [t, jsonObject])) : undefined,
        ...(route.auth === 'jwt'
          ? {
              authorizationType: apigw.AuthorizationType.COGNITO,
              authorizer,
              authorizationScopes: [...(route.scopes ?? [])],
            }
          : { authorizationType: apigw.AuthorizationType.IAM }),
      };
      if (route.auth === 'jwt' && (route.scopes ?? []).length === 0) {
        throw new Error(`${route.method} ${route.path}: a jwt route needs at least one scope`);
      }
      const method = this.restApi.root.resourceForPath(route.path).addMethod(route.method, integration, options);
      if (route.auth === 'iam') {
        acknowledge(
          method,
          'AwsSolutions-COG4',
          'Operator route under /v1/ops authenticated with IAM SigV4 (AWS_IAM) so operators use their IAM identities and policies; AwsSolutions-APIG4 still forbids unauthenticated methods.',
        );
      }
    }
  }

  private acknowledgeStageDecisions(): void {
    const stage = this.restApi.deploymentStage;
    acknowledge(
      stage,
      'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
      'Response caching is deliberately disabled: responses are per partner client and may reference patient encounters, so a shared cache could serve one client data meant for another.',
    );
    acknowledge(
      stage,
      'HIPAA.Security-APIGWSSLEnabled',
      'The rule checks for a backend client certificate; every integration is a Lambda proxy invoked over the AWS API with IAM, so there is no HTTP backend to present a certificate to. Clients use TLS.',
    );
    const cloudWatchRole = this.restApi.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole instanceof iam.Role) {
      acknowledge(
        cloudWatchRole,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'Account-level API Gateway logging role: AmazonAPIGatewayPushToCloudWatchLogs is the AWS-maintained policy API Gateway documents for it; execution log group names are chosen by API Gateway per API and stage.',
      );
    }
  }
}
