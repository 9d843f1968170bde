import { readFileSync } from 'node:fs';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../lib/data/table-definition';
import { routes } from '../../lib/http/routes';
import { buildApp, type DirectorySettings } from '../../infra/build-app';

// Custom values, so the assertions prove they flow from the settings rather than from defaults.
const settings: DirectorySettings = {
  jwtIssuer: 'https://issuer.test.example/',
  jwtAudience: 'directory-under-test',
  mailFrom: 'directory-tests@example.org',
  appBaseUrl: 'https://directory.test.example',
};

const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

type Statement = { Action: string | string[]; Resource: unknown };
type Built = ReturnType<typeof buildApp>;

let built: Built;
let assembly: CloudAssembly;
let stateful: Template;
let stateless: Template;

// Synthesizing bundles every function with esbuild, so it happens once for the whole file. The
// cdk-nag plugin runs during this synth and throws on any unacknowledged finding.
beforeAll(() => {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };
  built = buildApp(settings, new App({ context: cdkJson.context }));
  assembly = built.app.synth();
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
}, 120_000);

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);

/** Every IAM statement attached to the role of the route's function. */
function statementsOf(routeId: string): Statement[] {
  const fn = built.stateless.functions.get(routeId)!;
  const roleId = logicalId(built.stateless, fn.role!);
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]): string[] => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

describe('stateful stack', () => {
  it('keeps the table logical ID so a deploy never replaces the table', () => {
    expect(Object.keys(stateful.findResources('AWS::DynamoDB::GlobalTable'))).toEqual(['TableCD117FA1']);
  });

  it('retains the table with PITR, deletion protection, on-demand billing and TTL', () => {
    stateful.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: Match.absent(),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
        Replicas: [
          Match.objectLike({
            DeletionProtectionEnabled: true,
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          }),
        ],
      }),
    });
  });

  it('has the key schema and both GSIs of tableDefinition', () => {
    const keySchema = (partitionKey: string, sortKey: string) => [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ];
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: keySchema(tableDefinition.partitionKey, tableDefinition.sortKey),
      GlobalSecondaryIndexes: Object.entries(tableDefinition.indexes).map(([indexName, index]) => ({
        IndexName: indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      })),
    });
  });
});

describe('stateless stack: API and functions', () => {
  it('serves every route of the manifest, admin ones behind the JWT authorizer', () => {
    const authorizerId = Object.keys(stateless.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    expect(authorizerId).toBeDefined();
    for (const route of routes) {
      const auth =
        route.auth === 'admin'
          ? { AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } }
          : { AuthorizationType: 'NONE', AuthorizerId: Match.absent() };
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${route.method} ${route.path}`, ...auth });
    }
    stateless.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
  });

  it('routes each path to its own function', () => {
    for (const route of routes) {
      const fnId = logicalId(built.stateless, built.stateless.functions.get(route.id)!);
      const integrations = stateless.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: { IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] } },
      });
      const [integrationId] = Object.keys(integrations);
      expect(integrationId, route.id).toBeDefined();
      stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
        Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
      });
    }
  });

  it('creates one arm64 function per route on the Node.js 24 runtime', () => {
    stateless.resourceCountIs('AWS::Lambda::Function', routes.length);
    const functions = Object.values(stateless.findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', MemorySize: 256, Timeout: 10 });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        MAILER: 'ses',
        MAIL_FROM: settings.mailFrom,
        APP_BASE_URL: settings.appBaseUrl,
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
  });

  it('configures the JWT authorizer with the issuer and audience it was given', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: settings.jwtIssuer, Audience: [settings.jwtAudience] },
    });
  });

  it('logs access and throttles on the default stage', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });
});

describe('stateless stack: least privilege', () => {
  it('gives read routes no write actions and readwrite routes the write actions', () => {
    for (const route of routes) {
      const actions = actionsOf(statementsOf(route.id));
      if (route.table === 'readwrite') expect(actions, route.id).toEqual(expect.arrayContaining(writeActions));
      else expect(actions.filter((a) => writeActions.includes(a)), route.id).toEqual([]);
      if (route.table === 'none') expect(actions.filter((a) => a.startsWith('dynamodb:')), route.id).toEqual([]);
    }
  });

  it('lets only mail-sending routes send mail, from the configured identity only', () => {
    for (const route of routes) {
      const mail = statementsOf(route.id).filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
      if (!('sendsMail' in route && route.sendsMail)) {
        expect(mail, route.id).toEqual([]);
        continue;
      }
      expect(mail, route.id).toHaveLength(1);
      expect(mail[0]!.Action).toBe('ses:SendEmail');
      const resource = JSON.stringify(built.stateless.resolve(mail[0]!.Resource));
      expect(resource).toContain(`:identity/${settings.mailFrom}`);
      expect(resource).not.toContain('*');
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding in either stack', () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('leaves no error or warning annotation on either stack', () => {
    for (const stack of [built.stateful, built.stateless]) {
      const messages = assembly.getStackArtifact(stack.artifactId).messages;
      const problems = messages.filter((m) => m.level === 'error' || m.level === 'warning').map((m) => `${m.id}: ${String(m.entry.data)}`);
      expect(problems, stack.stackName).toEqual([]);
    }
  });
});
