import { readFileSync } from 'node:fs';
import { App, Stack, type CfnResource } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '../../lib/data/table-definition';
import { routes, workers } from '../../lib/http/routes';
import { maxReceiveCount } from '../../infra/jobs-queue';
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

/** Every IAM statement attached to the role of a route's (or, by worker id, a worker's) function. */
function statementsOf(id: string): Statement[] {
  const fn = built.stateless.functions.get(id) ?? built.stateless.workers.get(id)!;
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

  it('has the key schema and every GSI of tableDefinition', () => {
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

  it('has the workByResponsible index the handover lists open work on', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([
        Match.objectLike({
          IndexName: 'workByResponsible',
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
        }),
      ]),
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

  it('creates one arm64 function per route and per worker on the Node.js 24 runtime', () => {
    stateless.resourceCountIs('AWS::Lambda::Function', routes.length + workers.length);
    const workerIds = new Set([...built.stateless.workers.values()].map((fn) => logicalId(built.stateless, fn)));
    expect(workerIds.size).toBe(workers.length);
    for (const [id, fn] of Object.entries(stateless.findResources('AWS::Lambda::Function'))) {
      // HTTP functions answer within API Gateway's limit; workers run a job chunk by chunk.
      const timeout = workerIds.has(id) ? 300 : 10;
      expect(fn.Properties, id).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', MemorySize: 256, Timeout: timeout });
      expect(fn.Properties.Environment.Variables, id).toMatchObject({
        MAILER: 'ses',
        MAIL_FROM: settings.mailFrom,
        APP_BASE_URL: settings.appBaseUrl,
        NODE_OPTIONS: '--enable-source-maps',
        JOBS: 'sqs',
      });
      expect(fn.Properties.LoggingConfig.LogGroup, id).toBeDefined();
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

describe('stateless stack: background jobs', () => {
  const queueId = () => logicalId(built.stateless, built.stateless.jobs.queue);
  const deadLetterQueueId = () => logicalId(built.stateless, built.stateless.jobs.deadLetterQueue);

  it('redrives the jobs queue to an encrypted dead-letter queue after five receives', () => {
    expect(maxReceiveCount).toBe(5);
    stateless.resourceCountIs('AWS::SQS::Queue', 2);
    stateless.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Delete',
      Properties: {
        QueueName: Match.absent(),
        SqsManagedSseEnabled: true,
        // At least six times the worker timeout (5 minutes).
        VisibilityTimeout: 1800,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId(), 'Arn'] }, maxReceiveCount: 5 },
      },
    });
    const deadLetterQueue = stateless.findResources('AWS::SQS::Queue')[deadLetterQueueId()]!;
    expect(deadLetterQueue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(deadLetterQueue.Properties.QueueName).toBeUndefined();
    expect(deadLetterQueue.Properties.RedrivePolicy).toBeUndefined();
  });

  it('refuses non-TLS access to both queues', () => {
    for (const id of [queueId(), deadLetterQueueId()]) {
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the jobs queue to each worker one message at a time, with partial batch responses', () => {
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', workers.length);
    for (const worker of workers) {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(worker.id)!);
      stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: fnId },
        EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const actions = actionsOf(statementsOf(worker.id));
      expect(actions, worker.id).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
      expect(actions, worker.id).not.toContain('sqs:SendMessage');
    }
  });

  it('gives each worker the table access it declares', () => {
    for (const worker of workers) {
      const actions = actionsOf(statementsOf(worker.id));
      const tableAccess: string = worker.table;
      if (tableAccess === 'readwrite') expect(actions, worker.id).toEqual(expect.arrayContaining([...writeActions, 'dynamodb:Query']));
      else expect(actions.filter((a) => writeActions.includes(a)), worker.id).toEqual([]);
    }
  });

  it('lets only job-enqueuing routes send to the jobs queue, and tells them its URL', () => {
    for (const route of routes) {
      const statements = statementsOf(route.id);
      const sqsStatements = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('sqs:')));
      const fn = built.stateless.functions.get(route.id)!;
      const variables = stateless.findResources('AWS::Lambda::Function')[logicalId(built.stateless, fn)]!.Properties.Environment.Variables;
      if (!('enqueuesJobs' in route && route.enqueuesJobs)) {
        expect(sqsStatements, route.id).toEqual([]);
        expect(variables.JOBS_QUEUE_URL, route.id).toBeUndefined();
        continue;
      }
      expect(actionsOf(sqsStatements), route.id).toContain('sqs:SendMessage');
      for (const statement of sqsStatements) expect(statement.Resource, route.id).toEqual({ 'Fn::GetAtt': [queueId(), 'Arn'] });
      expect(variables.JOBS_QUEUE_URL, route.id).toEqual({ Ref: queueId() });
    }
  });

  it('alarms as soon as one message is in the dead-letter queue', () => {
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueueId(), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      EvaluationPeriods: 1,
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
