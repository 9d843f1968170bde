import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, type Stack, type CfnResource } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { OUTBOX_ENTITY } from '../../lib/data/outbox-item';
import { EVENT_BUS_SOURCE, EVENT_ENTITY } from '../../lib/events/bus';
import { tableDefinition } from '../../lib/data/table-definition';
import { routes, servedMethods, workers } from '../../lib/http/routes';
import { queueNames, type QueueName } from '../../lib/jobs/queue';
import { maxReceiveCount } from '../../infra/work-queue';
import { iteratorAgeThreshold, jobAttemptFailedMessage, jobAttemptFailuresMetricName, serverErrorRateThresholdPercent } from '../../infra/monitoring';
import { webhookSecretsDescription } from '../../infra/stateful-stack';
import { buildApp, type DirectorySettings } from '../../infra/build-app';
import { SettingsError, settingsFromContext } from '../../infra/settings';

// Custom values, so the assertions prove they flow from the settings rather than from defaults.
const settings: DirectorySettings = {
  jwtIssuer: 'https://issuer.test.example/',
  jwtAudience: 'directory-under-test',
  mailFrom: 'directory-tests@example.org',
  appBaseUrl: 'https://directory.test.example',
  subjectClaim: 'directory_user_id',
  consoleClientId: 'directory-console-under-test',
  // A stand-in for Vite's output, so the infra tests never need the console built.
  consoleDist: fileURLToPath(new URL('../support/console-dist', import.meta.url)),
};

// The DynamoDB actions the code sends, spelled out here rather than imported from the stack so the
// tests state the contract: reads by key, batch reads, queries and transaction condition checks;
// writes by key (TransactWriteItems is authorised per contained action). Never Scan; BatchWriteItem
// only where the manifest flags `batchWrites`.
const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const indexActions = ['dynamodb:Query'];
/** `logGroup.grantWrite`: the function writes to its own log group. */
const logActions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** `queue.grantSendMessages`: SendMessage plus the two lookups the SDK may make. */
const enqueueActions = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
/** What the SQS event source grants the consuming function. */
const consumeActions = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
/** `secret.grantRead` on a secret encrypted with the AWS managed key. */
const secretActions = ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'];
/** What a DynamoDB stream consumer needs: reading the stream's records, and listing streams. */
const streamReadActions = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'];
const listStreamsAction = 'dynamodb:ListStreams';
const streamActions = [...streamReadActions, listStreamsAction];

type Statement = { Action: string | string[]; Resource: unknown };
type Built = ReturnType<typeof buildApp>;

let built: Built;
let assembly: CloudAssembly;
let stateful: Template;
let stateless: Template;

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> };

/**
 * An app whose stacks' assets are not bundled: the CLI's `aws:cdk:bundling-stacks` context (as with
 * `cdk synth --exclusively`) set to no stack, so NodejsFunction runs no esbuild and its code is a
 * placeholder asset. Everything else is synthesized as for a deployment: constructs, the template,
 * and the cdk-nag plugin, which throws on any unacknowledged finding during `synth()`. The one test
 * that bundles, a single representative function, is in bundling.test.ts.
 */
const unbundledApp = () => new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });

// Built and synthesized once for the whole file.
beforeAll(() => {
  built = buildApp(settings, unbundledApp());
  assembly = built.app.synth();
  stateful = Template.fromStack(built.stateful);
  stateless = Template.fromStack(built.stateless);
}, 120_000);

const logicalId = (stack: Stack, construct: { node: { defaultChild?: unknown } }): string => stack.getLogicalId(construct.node.defaultChild as CfnResource);

/** Every IAM statement attached to the role of a route's (or, by worker id, a worker's) function. */
function statementsOf(id: string): Statement[] {
  const fn = built.stateless.functions.get(id) ?? built.stateless.workers.get(id)!;
  const roleId = logicalId(built.stateless, fn.role!);
  const policies = stateless.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]): string[] => statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));

type Flags = { enqueuesJobs?: boolean; sendsMail?: boolean; readsWebhookSecrets?: boolean; sealsSecrets?: boolean; opensSecrets?: boolean };

/** Every route and worker, with the flags the stack acts on (absent flags read as false). */
const allFunctions = [
  ...routes.map((route) => ({ id: route.id as string, kind: 'route' as const, flags: route as Flags })),
  ...workers.map((worker) => ({ id: worker.id as string, kind: 'worker' as const, flags: worker as Flags })),
];

/** The stateless stack's functions but the console deployment's handler, which BucketDeployment owns. */
const directoryFunctions = () =>
  Object.fromEntries(Object.entries(stateless.findResources('AWS::Lambda::Function')).filter(([id]) => !id.startsWith('CustomCDKBucketDeployment')));

const functionOf = (id: string) => built.stateless.functions.get(id) ?? built.stateless.workers.get(id)!;
const variablesOf = (id: string): Record<string, unknown> =>
  stateless.findResources('AWS::Lambda::Function')[logicalId(built.stateless, functionOf(id))]!.Properties.Environment.Variables;

/**
 * Timeouts by worker source: queue workers run a job chunk by chunk (and the mail worker shares
 * their timeout, so every queue's visibility timeout is alike), scheduled ones stay under the
 * rate, the relay sends at most ten SendMessageBatch calls per invocation.
 */
const workerTimeoutSeconds: Record<(typeof workers)[number]['source'], number> = { queue: 300, schedule: 120, outboxStream: 60, eventStream: 60 };
/** Queue workers' timeouts differ by queue: a handover runs long, a mail is one SES call. */
const queueWorkerTimeoutSeconds: Record<QueueName, number> = { jobs: 300, mail: 30, events: 120, connectors: 120 };
const timeoutOf = (worker: (typeof workers)[number]) =>
  worker.source === 'queue' ? queueWorkerTimeoutSeconds[worker.queue] : workerTimeoutSeconds[worker.source];

/** The workers fed by the table's stream: the outbox relay and the event bus publisher. */
const streamWorkers = workers.filter((w) => w.source === 'outboxStream' || w.source === 'eventStream');

/** The workers that consume a work queue, one per queue. */
const queueWorkers = workers.filter((w) => w.source === 'queue');

/** The environment variable the relay reads each queue's URL from (loadRelayConfig), spelled out. */
const queueUrlVariables: Record<QueueName, string> = {
  jobs: 'JOBS_QUEUE_URL',
  mail: 'MAIL_QUEUE_URL',
  events: 'EVENTS_QUEUE_URL',
  connectors: 'CONNECTORS_QUEUE_URL',
};

const workQueue = (name: QueueName) => built.stateless.queues.get(name)!;

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

  it("streams new images of the table, the outbox relay's source", () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', { StreamSpecification: { StreamViewType: 'NEW_IMAGE' } });
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

  it('keeps the HR webhook secret, with its logical ID pinned, and describes what goes into it', () => {
    // A new logical ID would replace the secret with a fresh placeholder (and orphan the filled one).
    expect(Object.keys(stateful.findResources('AWS::SecretsManager::Secret'))).toEqual(['HrWebhookSecretsF963427D', 'SecretsKeySecret8D322D6B']);
    stateful.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        Name: Match.absent(),
        Description: webhookSecretsDescription,
        GenerateSecretString: Match.objectLike({ SecretStringTemplate: JSON.stringify({ standard: '', gusto: '', bamboohr: '' }) }),
      }),
    });
    expect(webhookSecretsDescription).toContain('{"standard":"whsec_...","gusto":"...","bamboohr":"..."}');
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
      for (const method of servedMethods(route)) stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: `${method} ${route.path}`, ...auth });
    }
    stateless.resourceCountIs('AWS::ApiGatewayV2::Route', routeKeys.length);
  });

  it('serves the HR webhook without an authorizer: its signature is its credential', () => {
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /webhooks/hr/{provider}',
      AuthorizationType: 'NONE',
      AuthorizerId: Match.absent(),
    });
  });

  it('routes each path to its own function', () => {
    for (const route of routes) {
      const fnId = logicalId(built.stateless, built.stateless.functions.get(route.id)!);
      const integrations = stateless.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: { IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] } },
      });
      const [integrationId] = Object.keys(integrations);
      expect(integrationId, route.id).toBeDefined();
      for (const method of servedMethods(route)) {
        stateless.hasResourceProperties('AWS::ApiGatewayV2::Route', {
          RouteKey: `${method} ${route.path}`,
          Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
        });
      }
    }
  });

  it('creates one arm64 function per route and per worker on the Node.js 24 runtime', () => {
    // Besides them, only the console deployment's handler (console.test.ts).
    stateless.resourceCountIs('AWS::Lambda::Function', routes.length + workers.length + 1);
    expect(Object.keys(directoryFunctions())).toHaveLength(routes.length + workers.length);
    const workerIds = new Set([...built.stateless.workers.values()].map((fn) => logicalId(built.stateless, fn)));
    expect(workerIds.size).toBe(workers.length);
    const workerTimeouts = new Map(workers.map((w) => [logicalId(built.stateless, built.stateless.workers.get(w.id)!), timeoutOf(w)]));
    for (const [id, fn] of Object.entries(directoryFunctions())) {
      // HTTP functions answer within API Gateway's limit; workers take longer (by their source).
      const timeout = workerTimeouts.get(id) ?? 10;
      expect(fn.Properties, id).toMatchObject({ Architectures: ['arm64'], Runtime: 'nodejs24.x', MemorySize: 256, Timeout: timeout });
      expect(fn.Properties.Environment.Variables, id).toMatchObject({ NODE_OPTIONS: '--enable-source-maps', POWERTOOLS_SERVICE_NAME: 'employee-directory' });
      expect(fn.Properties.LoggingConfig.LogGroup, id).toBeDefined();
    }
  });

  it('points every function at the handler of its bundle, and bundles none here (bundling.test.ts bundles one)', () => {
    const functions = Object.values(directoryFunctions());
    expect(functions).toHaveLength(routes.length + workers.length);
    // NodejsFunction's ESM bundle is index.mjs exporting `handler` (asserted on a real bundle there).
    for (const fn of functions) expect(fn.Properties.Handler).toBe('index.handler');
    expect(built.stateless.bundlingRequired).toBe(false);
    expect(built.stateful.bundlingRequired).toBe(false);
  });

  it('gives every function but the relay the settings its config loader validates, the sender address only to the mail worker, and none of them JOBS', () => {
    const tableNameImport = { 'Fn::ImportValue': expect.stringMatching(/^EmployeeDirectoryStateful:ExportsOutputRefTable/) };
    for (const { id } of allFunctions) {
      const variables = variablesOf(id);
      // Obsolete: background work always goes through the outbox and the relay, whatever JOBS says.
      expect(variables.JOBS, id).toBeUndefined();
      expect(variables.MAILER, id).toBeUndefined();
      expect(variables.MAIL_FROM, id).toEqual(id === 'mailWorker' ? settings.mailFrom : undefined);
      if (streamWorkers.some((w) => w.id === id)) continue;
      expect(variables, id).toMatchObject({
        TABLE_NAME: tableNameImport,
        APP_BASE_URL: settings.appBaseUrl,
        AUTH_SUBJECT_CLAIM: 'directory_user_id',
      });
    }
  });

  it('tells the event bus publisher only the name of the bus: no table, no mail settings, no queue', () => {
    expect(variablesOf('eventBusPublisher')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'employee-directory',
      EVENT_BUS_NAME: { Ref: logicalId(built.stateless, built.stateless.eventBus) },
    });
  });

  it('tells the outbox relay only the URL of each work queue: no table, no mail settings', () => {
    expect(streamWorkers.map((w) => w.id)).toEqual(['outboxRelay', 'eventBusPublisher']);
    expect(variablesOf('outboxRelay')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'employee-directory',
      JOBS_QUEUE_URL: { Ref: logicalId(built.stateless, workQueue('jobs').queue) },
      MAIL_QUEUE_URL: { Ref: logicalId(built.stateless, workQueue('mail').queue) },
      EVENTS_QUEUE_URL: { Ref: logicalId(built.stateless, workQueue('events').queue) },
      CONNECTORS_QUEUE_URL: { Ref: logicalId(built.stateless, workQueue('connectors').queue) },
    });
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

describe('settings from CDK context', () => {
  const required = { jwtIssuer: 'https://issuer.test.example/', jwtAudience: 'directory-under-test', consoleClientId: 'directory-console' };
  const fromContext = (context: Record<string, unknown>) => settingsFromContext(new App({ context }).node);
  const problemsOf = (context: Record<string, unknown>): readonly string[] => {
    try {
      fromContext(context);
    } catch (error) {
      expect(error).toBeInstanceOf(SettingsError);
      return (error as SettingsError).problems;
    }
    throw new Error('expected a SettingsError');
  };

  it('refuses to build without jwtIssuer, jwtAudience and consoleClientId, naming each and how to pass them', () => {
    expect(() => fromContext({})).toThrow(SettingsError);
    expect(() => fromContext({})).toThrow(/missing context jwtIssuer, jwtAudience/);
    expect(() => fromContext({})).toThrow(/missing context consoleClientId: the admin console signs admins in as this OIDC client/);
    expect(() => fromContext({})).toThrow('-c jwtIssuer=https://YOUR-IDP/ -c jwtAudience=YOUR-AUDIENCE -c consoleClientId=YOUR-CONSOLE-CLIENT');
    // Only the missing one is named; an empty or blank value counts as missing.
    expect(problemsOf({ ...required, jwtAudience: undefined })).toEqual([expect.stringMatching(/^missing context jwtAudience:/)]);
    expect(problemsOf({ ...required, jwtIssuer: '  ' })).toEqual([expect.stringMatching(/^missing context jwtIssuer:/)]);
    expect(problemsOf({ ...required, consoleClientId: '' })).toEqual([expect.stringMatching(/^missing context consoleClientId:/)]);
  });

  it('stops `cdk synth` (infra/app.ts) with that message and no stack trace when the keys are missing', () => {
    const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
    const run = (context?: Record<string, unknown>) => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      delete env.CDK_CONTEXT_JSON;
      delete env.CDK_CONTEXT_OVERFLOW_LOCATION;
      // How the CDK CLI hands `-c key=value` to the app.
      if (context) env.CDK_CONTEXT_JSON = JSON.stringify(context);
      return spawnSync(`${repoRoot}node_modules/.bin/tsx`, ['infra/app.ts'], { cwd: repoRoot, env, encoding: 'utf8', timeout: 60_000 });
    };
    const none = run();
    expect(none.status, none.stderr).toBe(1);
    expect(none.stderr).toContain('missing context jwtIssuer, jwtAudience');
    expect(none.stderr).toContain('-c jwtIssuer=');
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const onlyIssuer = run({ jwtIssuer: required.jwtIssuer });
    expect(onlyIssuer.status, onlyIssuer.stderr).toBe(1);
    expect(onlyIssuer.stderr).toContain('missing context jwtAudience');
    expect(onlyIssuer.stderr).not.toContain('jwtIssuer,');
    // A malformed optional key stops it the same way, naming the key.
    const badUrl = run({ ...required, appBaseUrl: 'directory.example.com' });
    expect(badUrl.status, badUrl.stderr).toBe(1);
    expect(badUrl.stderr).toContain('appBaseUrl must be an http(s) URL');
    expect(badUrl.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('reads every key, with these defaults', () => {
    expect(fromContext(required)).toEqual({
      ...required,
      jwtScopes: undefined,
      mailFrom: 'no-reply@example.com',
      sesIdentity: undefined,
      subjectClaim: 'sub',
      appBaseUrl: 'https://directory.example.com',
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
      publicRouteThrottle: { rateLimit: 10, burstLimit: 20 },
      consoleScope: 'openid email profile',
      consoleDomain: undefined,
      consoleCertificateArn: undefined,
      consoleConnectOrigins: undefined,
      consoleDist: undefined,
      env: undefined,
    });
    // `-c` values arrive as strings: scopes comma separated, limits as numbers.
    expect(
      fromContext({
        ...required,
        jwtScopes: ' directory.admin, directory.write ,,directory.admin',
        mailFrom: 'noreply@corp.example',
        sesIdentity: 'corp.example',
        apiRateLimit: '40',
        apiBurstLimit: '80',
        publicRateLimit: '2.5',
        publicBurstLimit: 5,
        consoleScope: ' openid  directory.admin ',
        consoleDomain: 'directory-admin.corp.example',
        consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
        consoleConnectOrigins: 'https://corp.auth.eu-west-1.amazoncognito.com, https://corp.auth.eu-west-1.amazoncognito.com',
        consoleDist: '/tmp/console-build',
      }),
    ).toMatchObject({
      consoleScope: 'openid directory.admin',
      consoleDomain: 'directory-admin.corp.example',
      consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      consoleConnectOrigins: ['https://corp.auth.eu-west-1.amazoncognito.com'],
      consoleDist: '/tmp/console-build',
      jwtScopes: ['directory.admin', 'directory.write'],
      sesIdentity: 'corp.example',
      apiThrottle: { rateLimit: 40, burstLimit: 80 },
      publicRouteThrottle: { rateLimit: 2.5, burstLimit: 5 },
    });
    expect(fromContext({ ...required, jwtScopes: ' , ' }).jwtScopes).toBeUndefined();
    // A blank optional key falls back to its default, as if it were not given.
    expect(fromContext({ ...required, mailFrom: ' ', subjectClaim: '', appBaseUrl: '  ', apiRateLimit: '' })).toMatchObject({
      mailFrom: 'no-reply@example.com',
      subjectClaim: 'sub',
      appBaseUrl: 'https://directory.example.com',
      apiThrottle: { rateLimit: 50, burstLimit: 100 },
    });
  });

  it('refuses values no deployment could work with, listing each', () => {
    expect(problemsOf({ ...required, jwtIssuer: 'http://issuer.example/', jwtAudience: 'a' })).toEqual([expect.stringContaining('jwtIssuer must be')]);
    expect(problemsOf({ ...required, jwtScopes: 'directory admin' })).toEqual([expect.stringContaining('jwtScopes')]);
    expect(problemsOf({ ...required, publicRateLimit: 'fast' })).toEqual([expect.stringContaining('publicRateLimit must be a number')]);
    // Public routes are throttled below the default, never above it.
    expect(problemsOf({ ...required, publicRateLimit: '60', publicBurstLimit: '0' })).toEqual([
      expect.stringContaining('publicBurstLimit must be a positive integer'),
      expect.stringContaining('publicRateLimit (60) must not exceed apiRateLimit (50)'),
    ]);
    // The verified identity must be the sender address or its domain, or SES refuses every send.
    expect(problemsOf({ ...required, mailFrom: 'noreply@corp.example', sesIdentity: 'other.example' })).toEqual([
      expect.stringContaining('not the domain of mailFrom'),
    ]);
    expect(problemsOf({ ...required, mailFrom: 'noreply@corp.example', sesIdentity: 'admin@corp.example' })).toEqual([
      expect.stringContaining('an address other than mailFrom'),
    ]);
    expect(problemsOf({ ...required, mailFrom: 'Directory <noreply@corp.example>' })).toEqual([expect.stringContaining('mailFrom must be a plain address')]);
    expect(() => fromContext({ ...required, mailFrom: 'noreply@mail.corp.example', sesIdentity: 'corp.example' })).not.toThrow();
    // What the functions' config loaders would refuse at every cold start is refused at synth.
    expect(problemsOf({ ...required, appBaseUrl: 'directory.example.com' })).toEqual([expect.stringContaining('appBaseUrl must be an http(s) URL')]);
    expect(problemsOf({ ...required, appBaseUrl: 'ftp://directory.example.com' })).toEqual([expect.stringContaining('appBaseUrl must be an http(s) URL')]);
    expect(problemsOf({ ...required, subjectClaim: 'directory user id' })).toEqual([expect.stringContaining('subjectClaim must be a claim name')]);
    expect(() => fromContext({ ...required, subjectClaim: 'https://corp.example/claims/directory_user_id' })).not.toThrow();
    // Context that is not text (cdk.json can hold any JSON) is named, not coerced.
    expect(problemsOf({ ...required, mailFrom: { address: 'noreply@corp.example' } })).toEqual([expect.stringContaining('context mailFrom must be a string')]);
    expect(problemsOf({ ...required, jwtScopes: [1] })).toEqual([expect.stringContaining('jwtScopes must be a comma-separated list')]);
    // buildApp checks the same, so settings given in code cannot skip it.
    expect(() => buildApp({ ...settings, jwtIssuer: '' })).toThrow(SettingsError);
    expect(() => buildApp({ ...settings, appBaseUrl: 'directory.test.example' })).toThrow(SettingsError);
  });

  it('refuses console settings whose sign-in could not work, listing each', () => {
    expect(problemsOf({ ...required, consoleClientId: 'console client' })).toEqual([expect.stringContaining('consoleClientId must be an OAuth client id')]);
    expect(problemsOf({ ...required, consoleScope: 'email profile' })).toEqual([expect.stringContaining('consoleScope must include openid')]);
    expect(problemsOf({ ...required, consoleScope: 'openid "admin"' })).toEqual([
      expect.stringContaining('consoleScope: ""admin"" is not a valid OAuth scope'),
    ]);
    // The authorizer would refuse every token of a console that does not ask for a required scope.
    expect(problemsOf({ ...required, jwtScopes: 'directory.admin' })).toEqual([
      expect.stringContaining('consoleScope must include one of jwtScopes (directory.admin)'),
    ]);
    expect(() => fromContext({ ...required, jwtScopes: 'directory.admin,directory.write', consoleScope: 'openid directory.write' })).not.toThrow();
    // A custom domain needs its certificate, from the one region CloudFront takes them from.
    expect(problemsOf({ ...required, consoleDomain: 'admin.corp.example' })).toEqual([
      expect.stringContaining('consoleDomain and consoleCertificateArn go together'),
    ]);
    expect(
      problemsOf({ ...required, consoleDomain: 'admin.corp.example', consoleCertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d' }),
    ).toEqual([expect.stringContaining('consoleCertificateArn must be an ACM certificate ARN in us-east-1')]);
    expect(
      problemsOf({
        ...required,
        consoleDomain: 'https://admin.corp.example',
        consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d',
      }),
    ).toEqual([expect.stringContaining('consoleDomain must be a domain name')]);
    expect(problemsOf({ ...required, consoleConnectOrigins: 'https://corp.example/oauth2, http://corp.example' })).toEqual([
      expect.stringContaining('"https://corp.example/oauth2" must be an https origin'),
      expect.stringContaining('"http://corp.example" must be an https origin'),
    ]);
    expect(problemsOf({ ...required, consoleConnectOrigins: [1] })).toEqual([expect.stringContaining('consoleConnectOrigins must be a comma-separated list')]);
  });
});

describe('stack outputs: what the deployment guide tells an operator to copy', () => {
  const tableId = () => logicalId(built.stateful, built.stateful.table);
  const secretId = () => logicalId(built.stateful, built.stateful.webhookSecrets);
  /** The `$default` stage's URL as CloudFormation renders `stage.url`, followed by `path`. */
  const apiUrl = (path = '') => ({
    'Fn::Join': [
      '',
      [
        'https://',
        { Ref: logicalId(built.stateless, built.stateless.api) },
        '.execute-api.',
        { Ref: 'AWS::Region' },
        '.',
        { Ref: 'AWS::URLSuffix' },
        `/${path}`,
      ],
    ],
  });
  /** Outputs an operator reads, leaving out the exports CDK adds for cross-stack references. */
  const operatorOutputs = (template: Template) => Object.keys(template.findOutputs('*')).filter((id) => !id.startsWith('ExportsOutput'));

  it('names the table, for bootstrap:admin, and the whole bootstrap command with the region', () => {
    stateful.hasOutput('TableName', { Value: { Ref: tableId() }, Description: Match.stringLikeRegexp('TABLE_NAME') });
    stateful.hasOutput('BootstrapAdminCommand', {
      Value: {
        'Fn::Join': ['', ['TABLE_NAME=', { Ref: tableId() }, ' AWS_REGION=', { Ref: 'AWS::Region' }, ' npm run bootstrap:admin -- you@yourcompany.com']],
      },
    });
  });

  it('names the HR webhook secret by ARN and by name, and says what JSON goes into it', () => {
    stateful.hasOutput('HrWebhookSecretsArn', { Value: { Ref: secretId() }, Description: Match.stringLikeRegexp('"standard".*"gusto".*"bamboohr"') });
    const name = stateful.findOutputs('HrWebhookSecretsName').HrWebhookSecretsName!;
    expect(JSON.stringify(name.Value)).toContain(`{"Ref":"${secretId()}"}`);
    // The JSON keys the description lists are the ones the placeholder holds.
    const template = stateful.findResources('AWS::SecretsManager::Secret')[secretId()]!.Properties.GenerateSecretString.SecretStringTemplate;
    expect(Object.keys(JSON.parse(template))).toEqual(['standard', 'gusto', 'bamboohr']);
  });

  it('gives the API URL and each HR provider its webhook URL, on a route that exists', () => {
    stateless.hasOutput('ApiUrl', { Value: apiUrl() });
    for (const [provider, id] of [
      ['standard', 'HrWebhookUrlStandard'],
      ['gusto', 'HrWebhookUrlGusto'],
      ['bamboohr', 'HrWebhookUrlBamboohr'],
    ] as const) {
      stateless.hasOutput(id, { Value: apiUrl(`webhooks/hr/${provider}`), Description: Match.stringLikeRegexp(`"${provider}"`) });
      const served = routes.some((r) => r.method === 'POST' && (r.path === `/webhooks/hr/${provider}` || r.path === '/webhooks/hr/{provider}'));
      expect(served, provider).toBe(true);
    }
  });

  it('names each dead-letter queue to re-drive, the relay on-failure queue and the dashboard', () => {
    for (const name of queueNames) {
      const dlq = built.stateless.queues.get(name)!.deadLetterQueue;
      const id = `${name.charAt(0).toUpperCase()}${name.slice(1)}DeadLetterQueueArn`;
      stateless.hasOutput(id, {
        Value: { 'Fn::GetAtt': [logicalId(built.stateless, dlq), 'Arn'] },
        Description: Match.stringLikeRegexp('start-message-move-task'),
      });
    }
    const onFailure = built.stateless.onFailureQueues.get('outboxRelay')!;
    stateless.hasOutput('OutboxRelayOnFailureQueueUrl', { Value: { Ref: logicalId(built.stateless, onFailure) } });
    stateless.hasOutput('DashboardName', { Value: { Ref: logicalId(built.stateless, built.stateless.monitoring.dashboard) } });
  });

  it('has these outputs and no others, each described, none exported', () => {
    expect(operatorOutputs(stateful).sort()).toEqual([
      'BootstrapAdminCommand',
      'ConsoleUrl',
      'HrWebhookSecretsArn',
      'HrWebhookSecretsName',
      'SecretsKeySecretArn',
      'TableName',
    ]);
    expect(operatorOutputs(stateless).sort()).toEqual(
      [
        'ApiUrl',
        'DashboardName',
        'HrWebhookUrlBamboohr',
        'HrWebhookUrlGusto',
        'HrWebhookUrlStandard',
        'JobsDeadLetterQueueArn',
        'MailDeadLetterQueueArn',
        'EventsDeadLetterQueueArn',
        'ConnectorsDeadLetterQueueArn',
        'OutboxRelayOnFailureQueueUrl',
        'EventBusPublisherOnFailureQueueUrl',
        'EventBusName',
        'EventBusArn',
        'EventArchiveArn',
      ].sort(),
    );
    for (const template of [stateful, stateless]) {
      for (const [id, output] of Object.entries(template.findOutputs('*')).filter(([id]) => !id.startsWith('ExportsOutput'))) {
        expect({ id, described: typeof output.Description === 'string' && output.Description.length > 0, exported: 'Export' in output }).toEqual({
          id,
          described: true,
          exported: false,
        });
      }
    }
  });
});

/** The SES identity ARN the mail worker's policy names, as `sesIdentityArn` renders it. */
const sesArn = (identity: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:identity/${identity}`]],
});

/** The statements of the mail worker's role that allow an SES action. */
function mailStatements(from: Built, template: Template): (Statement & { Condition?: unknown })[] {
  const roleId = logicalId(from.stateless, from.stateless.workers.get('mailWorker')!.role!);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies)
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as (Statement & { Condition?: unknown })[])
    .filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
}

/**
 * The app built from `settings` with these changes, unbundled like the main one (`unbundledApp`).
 * cdk-nag still runs when the template is synthesized.
 */
function variant(overrides: Partial<DirectorySettings>) {
  const variantBuilt = buildApp({ ...settings, ...overrides }, unbundledApp());
  return { built: variantBuilt, template: Template.fromStack(variantBuilt.stateless) };
}

const adminRoutes = routes.filter((r) => r.auth === 'admin');
const publicRoutes = routes.filter((r) => r.auth === 'public');
const routeKey = (route: (typeof routes)[number]) => `${route.method} ${route.path}`;
/** The route keys API Gateway serves for a route: HEAD next to a GET. */
const keysOf = (route: (typeof routes)[number]) => servedMethods(route).map((method) => `${method} ${route.path}`);
const routeKeys = routes.flatMap(keysOf);

describe('stateless stack: JWT scopes, public route throttling and the SES identity from settings', () => {
  let scoped: ReturnType<typeof variant>;
  let addressIdentity: ReturnType<typeof variant>;

  beforeAll(() => {
    scoped = variant({
      jwtScopes: ['directory.admin', 'directory.write'],
      consoleScope: 'openid email directory.admin',
      sesIdentity: 'example.org',
      apiThrottle: { rateLimit: 40, burstLimit: 80 },
      publicRouteThrottle: { rateLimit: 4, burstLimit: 8 },
    });
    addressIdentity = variant({ sesIdentity: settings.mailFrom });
  }, 120_000);

  const routesIn = (template: Template) => Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);

  it('requires no scope on any route when jwtScopes is not given', () => {
    expect(settings.jwtScopes).toBeUndefined();
    const all = routesIn(stateless);
    expect(all).toHaveLength(routeKeys.length);
    for (const route of all) expect(route.AuthorizationScopes, route.RouteKey).toBeUndefined();
  });

  it('requires the given scopes on every admin route, and none on the public ones', () => {
    const byKey = new Map(routesIn(scoped.template).map((r) => [r.RouteKey as string, r]));
    expect(byKey.size).toBe(routeKeys.length);
    expect(adminRoutes.length).toBeGreaterThan(20);
    for (const route of adminRoutes) {
      expect(byKey.get(routeKey(route)), routeKey(route)).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizationScopes: ['directory.admin', 'directory.write'],
      });
    }
    for (const route of publicRoutes) {
      expect(byKey.get(routeKey(route)), routeKey(route)).toMatchObject({ AuthorizationType: 'NONE' });
      expect(byKey.get(routeKey(route))!.AuthorizationScopes, routeKey(route)).toBeUndefined();
    }
  });

  it('throttles each public route on its own, below the default route throttle of the stage', () => {
    // The routes an unauthenticated caller can reach, the OpenAPI document among them.
    expect(publicRoutes.flatMap(keysOf).sort()).toEqual(
      [
        'GET /openapi.json',
        'HEAD /openapi.json',
        'POST /invitations/accept',
        'POST /login-email-change/confirm',
        'POST /webhooks/hr/standard',
        'POST /webhooks/hr/{provider}',
      ].sort(),
    );
    const stages = Object.entries(stateless.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(1);
    const [stageId, stage] = stages[0]!;
    expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(publicRoutes.flatMap(keysOf).map((key) => [key, { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }])),
    );
    // No admin route has a setting of its own: they share the default.
    for (const route of adminRoutes) expect(stage.Properties.RouteSettings[routeKey(route)], routeKey(route)).toBeUndefined();
    // RouteSettings may name only routes that exist, so the stage is created after them.
    const routeIds = stateless.findResources('AWS::ApiGatewayV2::Route');
    const publicRouteIds = Object.keys(routeIds).filter((id) => publicRoutes.some((r) => routeKey(r) === routeIds[id]!.Properties.RouteKey));
    expect(publicRouteIds).toHaveLength(publicRoutes.length);
    expect(stage.DependsOn, stageId).toEqual(expect.arrayContaining(publicRouteIds));
  });

  it('takes both throttles from the settings', () => {
    scoped.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 40, ThrottlingBurstLimit: 80 },
      RouteSettings: Object.fromEntries(publicRoutes.map((route) => [routeKey(route), { ThrottlingRateLimit: 4, ThrottlingBurstLimit: 8 }])),
    });
  });

  it('without sesIdentity, lets the mail worker send on the address identity and its domain identity, as that address only', () => {
    const statements = mailStatements(built, stateless);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Action).toBe('ses:SendEmail');
    // Whichever of the two SES verified, the send is authorised on it.
    expect(built.stateless.resolve(statements[0]!.Resource)).toEqual([sesArn('directory-tests@example.org'), sesArn('example.org')]);
    expect(statements[0]!.Condition).toEqual({ StringEquals: { 'ses:FromAddress': settings.mailFrom } });
  });

  it('with a domain sesIdentity, grants on that domain identity only; with an address, on that address only', () => {
    for (const [name, { built: from, template }, identity] of [
      ['domain', scoped, 'example.org'],
      ['address', addressIdentity, settings.mailFrom],
    ] as const) {
      const statements = mailStatements(from, template);
      expect(statements, name).toHaveLength(1);
      expect(statements[0]!.Action, name).toBe('ses:SendEmail');
      // One resource is rendered as a scalar, not a list of one.
      expect(from.stateless.resolve(statements[0]!.Resource), name).toEqual(sesArn(identity));
      expect(statements[0]!.Condition, name).toEqual({ StringEquals: { 'ses:FromAddress': settings.mailFrom } });
      // The sender is still MAIL_FROM, whatever identity verifies it.
      const fnId = logicalId(from.stateless, from.stateless.workers.get('mailWorker')!);
      expect(template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Environment.Variables.MAIL_FROM, name).toBe(settings.mailFrom);
    }
  });

  it('has no unacknowledged cdk-nag finding with scopes, throttles and an SES identity set', () => {
    const report = new AwsSolutionsChecks().validateScope(scoped.built.app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('stateless stack: background jobs', () => {
  const queueId = (name: QueueName) => logicalId(built.stateless, workQueue(name).queue);
  const deadLetterQueueId = (name: QueueName) => logicalId(built.stateless, workQueue(name).deadLetterQueue);
  const onFailureQueueId = (workerId: string) => logicalId(built.stateless, built.stateless.onFailureQueues.get(workerId)!);
  const streamArnImport = { 'Fn::ImportValue': expect.stringMatching(/^EmployeeDirectoryStateful:ExportsOutputFnGetAttTable[0-9A-F]+StreamArn/) };

  it('makes one work queue per queue name, each consumed by exactly one queue worker', () => {
    expect([...built.stateless.queues.keys()]).toEqual([...queueNames]);
    expect(queueNames).toEqual(['jobs', 'mail', 'events', 'connectors']);
    expect(queueWorkers.map((w) => [w.id, w.queue])).toEqual([
      ['jobsWorker', 'jobs'],
      ['mailWorker', 'mail'],
      ['eventsWorker', 'events'],
      ['connectorsWorker', 'connectors'],
    ]);
  });

  it("keeps the jobs queue's logical IDs so a deploy never replaces it (and drops its messages)", () => {
    expect(queueId('jobs')).toBe('JobsQueue24944186');
    expect(deadLetterQueueId('jobs')).toBe('JobsDeadLetterQueue8CC426EE');
    expect(logicalId(built.stateless, workQueue('jobs').deadLetterAlarm)).toBe('JobsDeadLetterAlarm25C5F1B1');
  });

  it('redrives each work queue to its own encrypted dead-letter queue after five receives', () => {
    expect(maxReceiveCount).toBe(5);
    // Each work queue, its dead-letter queue, and one on-failure queue per stream worker.
    stateless.resourceCountIs('AWS::SQS::Queue', 2 * queueNames.length + streamWorkers.length);
    const resources = stateless.findResources('AWS::SQS::Queue');
    for (const name of queueNames) {
      stateless.hasResource('AWS::SQS::Queue', {
        DeletionPolicy: 'Delete',
        Properties: {
          QueueName: Match.absent(),
          SqsManagedSseEnabled: true,
          // Six times its worker's timeout, so a message is not handed out again while being worked on.
          VisibilityTimeout: 6 * queueWorkerTimeoutSeconds[name],
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueId(name), 'Arn'] }, maxReceiveCount: 5 },
        },
      });
      const deadLetterQueue = resources[deadLetterQueueId(name)]!;
      expect(deadLetterQueue.DeletionPolicy, name).toBe('Delete');
      expect(deadLetterQueue.Properties, name).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
    expect(new Set(queueNames.map(deadLetterQueueId)).size).toBe(queueNames.length);
  });

  it('builds the mail queue and its dead-letter queue exactly like the jobs queue and its own', () => {
    const resources = stateless.findResources('AWS::SQS::Queue');
    const [jobs, mail] = [resources[queueId('jobs')]!, resources[queueId('mail')]!];
    // Alike but for the dead-letter queue each one redrives to and the visibility timeout (from the worker's timeout).
    const ownDeadLetterQueue = (name: QueueName) => ({ 'Fn::GetAtt': [deadLetterQueueId(name), 'Arn'] });
    expect(mail.Properties.RedrivePolicy.deadLetterTargetArn).toEqual(ownDeadLetterQueue('mail'));
    const asJobs = {
      ...mail.Properties,
      VisibilityTimeout: jobs.Properties.VisibilityTimeout,
      RedrivePolicy: { ...mail.Properties.RedrivePolicy, deadLetterTargetArn: ownDeadLetterQueue('jobs') },
    };
    expect({ ...mail, Properties: asJobs }).toEqual(jobs);
    expect(resources[deadLetterQueueId('mail')]).toEqual(resources[deadLetterQueueId('jobs')]);
  });

  it('refuses non-TLS access to every queue', () => {
    const ids = [...queueNames.flatMap((name) => [queueId(name), deadLetterQueueId(name)]), ...streamWorkers.map((w) => onFailureQueueId(w.id))];
    expect(ids.sort()).toEqual(Object.keys(stateless.findResources('AWS::SQS::Queue')).sort());
    for (const id of ids) {
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });

  it('feeds each work queue to its worker one message at a time (the events worker ten, run per subscription), with partial batch responses', () => {
    expect(queueWorkers.length).toBeGreaterThan(0);
    stateless.resourceCountIs('AWS::Lambda::EventSourceMapping', queueWorkers.length + streamWorkers.length);
    for (const worker of workers) {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(worker.id)!);
      const mappings = stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } });
      const actions = actionsOf(statementsOf(worker.id));
      const consume = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];
      // The stream workers' mappings read the table's stream (tested below).
      if (worker.source === 'outboxStream' || worker.source === 'eventStream') {
        expect(
          actions.filter((a) => consume.includes(a)),
          worker.id,
        ).toEqual([]);
        continue;
      }
      if (worker.source !== 'queue') {
        expect(Object.keys(mappings), worker.id).toEqual([]);
        expect(
          actions.filter((a) => consume.includes(a)),
          worker.id,
        ).toEqual([]);
        continue;
      }
      expect(
        Object.values(mappings).map((m) => m.Properties),
        worker.id,
      ).toEqual([
        expect.objectContaining({
          EventSourceArn: { 'Fn::GetAtt': [queueId(worker.queue), 'Arn'] },
          BatchSize: worker.queue === 'events' ? 10 : 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          // Mail is capped below SES's sending rate; jobs are not capped.
          ...(worker.queue === 'mail' ? { ScalingConfig: { MaximumConcurrency: 5 } } : {}),
        }),
      ]);
      if (worker.queue !== 'mail') expect(Object.values(mappings)[0]!.Properties.ScalingConfig, worker.id).toBeUndefined();
      expect(actions, worker.id).toEqual(expect.arrayContaining(consume));
      // The consume actions on its own queue only, never on another work queue.
      const consumedQueues = grantsOf(worker.id)
        .filter((g) => consume.includes(g.action))
        .map((g) => g.resource);
      for (const resource of consumedQueues) expect(resource, worker.id).toEqual({ 'Fn::GetAtt': [queueId(worker.queue), 'Arn'] });
    }
  });

  it('deploys the outbox consumers before every function that writes the table, so no message kind is produced before it can be relayed', () => {
    const consumers = workers
      .filter((w) => w.source === 'outboxStream' || w.source === 'queue')
      .map((w) => logicalId(built.stateless, built.stateless.workers.get(w.id)!));
    const functions = stateless.findResources('AWS::Lambda::Function');
    const writers = [
      ...routes.filter((r) => r.table === 'readwrite').map((r) => logicalId(built.stateless, built.stateless.functions.get(r.id)!)),
      ...workers.filter((w) => w.source === 'schedule').map((w) => logicalId(built.stateless, built.stateless.workers.get(w.id)!)),
    ];
    expect(writers.length).toBeGreaterThan(20);
    for (const id of writers) expect(functions[id]!.DependsOn, id).toEqual(expect.arrayContaining(consumers));
    for (const id of consumers) expect(functions[id]!.DependsOn ?? [], id).not.toEqual(expect.arrayContaining(writers.slice(0, 1)));
  });

  it('has the mail worker consume the mail queue, with the app settings and readwrite table access it needs', () => {
    const fnId = logicalId(built.stateless, built.stateless.workers.get('mailWorker')!);
    const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } }));
    expect(mappings.map((m) => m.Properties.EventSourceArn)).toEqual([{ 'Fn::GetAtt': [queueId('mail'), 'Arn'] }]);
    expect(queueId('mail')).not.toBe(queueId('jobs'));
    expect(variablesOf('mailWorker')).toMatchObject({ MAIL_FROM: settings.mailFrom, APP_BASE_URL: settings.appBaseUrl, TABLE_NAME: expect.anything() });
    expect(actionsOf(statementsOf('mailWorker'))).toEqual(expect.arrayContaining([...tableReadActions, ...writeActions]));
  });

  it.each([
    ['outboxRelay', OUTBOX_ENTITY],
    ['eventBusPublisher', EVENT_ENTITY],
  ])("invokes %s from the table's stream for inserted %s items only, by a mapping of its own", (workerId, entity) => {
    expect(streamWorkers.map((w) => w.id).sort()).toEqual(['eventBusPublisher', 'outboxRelay']);
    const fnId = logicalId(built.stateless, built.stateless.workers.get(workerId)!);
    const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } }));
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!.Properties;
    expect(mapping.EventSourceArn).toEqual(streamArnImport);
    expect(mapping.FilterCriteria.Filters).toHaveLength(1);
    // Lambda ORs the filters and ANDs the fields of one: an INSERT whose new image is such an item.
    expect(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: [entity] } } },
    });
  });

  it.each(['outboxRelay', 'eventBusPublisher'])(
    '%s reads the stream in batches of 100 from the trim horizon, retrying failed records a bounded number of times',
    (workerId) => {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(workerId)!);
      const [mapping] = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } }));
      expect(mapping!.Properties).toMatchObject({
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        // The relay answers with the sequence numbers it could not queue; retries start from the first.
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        MaximumRecordAgeInSeconds: 12 * 3600,
      });
      // Given up before the stream trims the record (24 hours), so nothing is dropped unreported.
      expect(mapping!.Properties.MaximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    },
  );

  it('sends records the relay gives up on to its own encrypted queue, kept 14 days', () => {
    for (const worker of streamWorkers) {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(worker.id)!);
      const queue = onFailureQueueId(worker.id);
      const [mapping] = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } }));
      expect(mapping!.Properties.DestinationConfig, worker.id).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } });
      for (const name of queueNames) {
        expect(queue, worker.id).not.toBe(queueId(name));
        expect(queue, worker.id).not.toBe(deadLetterQueueId(name));
      }
      const resource = stateless.findResources('AWS::SQS::Queue')[queue]!;
      expect(resource.DeletionPolicy, worker.id).toBe('Delete');
      expect(resource.Properties, worker.id).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    }
  });

  it('runs each scheduled worker from its own EventBridge rule on its schedule', () => {
    const scheduled = workers.filter((w) => w.source === 'schedule');
    expect(scheduled.map((w) => w.id)).toContain('dueDismissals');
    stateless.resourceCountIs('AWS::Events::Rule', scheduled.length);
    for (const worker of scheduled) {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(worker.id)!);
      const rules = stateless.findResources('AWS::Events::Rule', {
        Properties: { ScheduleExpression: worker.schedule, State: 'ENABLED', Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })] },
      });
      const [ruleId] = Object.keys(rules);
      expect(ruleId, worker.id).toBeDefined();
      // EventBridge may invoke the function, from this rule only.
      stateless.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
        Principal: 'events.amazonaws.com',
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    }
    const dueDismissals = logicalId(built.stateless, built.stateless.workers.get('dueDismissals')!);
    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [dueDismissals, 'Arn'] } })],
    });
  });

  it('gives each worker the table access it declares', () => {
    for (const worker of workers) {
      const actions = actionsOf(statementsOf(worker.id));
      const tableAccess: string = worker.table;
      if (tableAccess === 'readwrite') expect(actions, worker.id).toEqual(expect.arrayContaining([...writeActions, 'dynamodb:Query']));
      else
        expect(
          actions.filter((a) => writeActions.includes(a)),
          worker.id,
        ).toEqual([]);
    }
  });

  it('lets only the outbox relay send to the work queues, to every one of them, and tells only it their URLs', () => {
    expect(allFunctions.filter((f) => f.flags.enqueuesJobs).map((f) => f.id)).toEqual(['outboxRelay']);
    const arnOf = (name: QueueName) => ({ 'Fn::GetAtt': [queueId(name), 'Arn'] });
    const workQueues = queueNames.map(arnOf);
    for (const { id, flags } of allFunctions) {
      const sqsGrants = grantsOf(id).filter((g) => g.action.startsWith('sqs:'));
      const sends = sqsGrants.filter((g) => g.action === 'sqs:SendMessage');
      const variables = variablesOf(id);
      if (!flags.enqueuesJobs) {
        // No SendMessage anywhere (HTTP functions queue work through the outbox item they write);
        // queue workers hold only the consume actions, on their own queue (tested above).
        // A stream worker's poller sends what it gives up on to its on-failure queue, with its role.
        const onFailure = streamWorkers.some((w) => w.id === id) ? [{ 'Fn::GetAtt': [onFailureQueueId(id), 'Arn'] }] : [];
        expect(
          sends.map((g) => g.resource),
          id,
        ).toEqual(onFailure);
        const worker = queueWorkers.find((w) => w.id === id);
        const ownQueue = worker ? [arnOf(worker.queue)] : [];
        for (const grant of sqsGrants) expect([...ownQueue, ...onFailure], `${id} ${grant.action}`).toContainEqual(grant.resource);
        for (const variable of Object.values(queueUrlVariables)) expect(variables[variable], `${id} ${variable}`).toBeUndefined();
        continue;
      }
      // SendMessage (SendMessageBatch is authorised by it) on every work queue, and on the relay's
      // own on-failure queue, which the stream's poller writes to with the function's role.
      const onFailure = { 'Fn::GetAtt': [onFailureQueueId(id), 'Arn'] };
      expect(
        sends.map((g) => g.resource),
        id,
      ).toEqual(expect.arrayContaining([...workQueues, onFailure]));
      for (const grant of sqsGrants) expect([...workQueues, onFailure], `${id} ${grant.action}`).toContainEqual(grant.resource);
      for (const name of queueNames) {
        const onQueue = sqsGrants.filter((g) => JSON.stringify(g.resource) === JSON.stringify(arnOf(name))).map((g) => g.action);
        expect(onQueue.sort(), `${id} ${name}`).toEqual([...enqueueActions].sort());
        expect(variables[queueUrlVariables[name]], `${id} ${name}`).toEqual({ Ref: queueId(name) });
      }
    }
  });

  it("lets only stream workers read the table's stream, and its records only from that stream", () => {
    for (const worker of workers) {
      const grants = grantsOf(worker.id).filter((g) => streamActions.includes(g.action));
      if (worker.source !== 'outboxStream' && worker.source !== 'eventStream') {
        expect(grants, worker.id).toEqual([]);
        continue;
      }
      for (const action of streamReadActions) {
        expect(
          grants.filter((g) => g.action === action).map((g) => g.resource),
          `${worker.id} ${action}`,
        ).toEqual([streamArnImport]);
      }
      // ListStreams has no resource-level permissions: only its grant on `*` is effective.
      expect(
        grants.filter((g) => g.action === listStreamsAction).map((g) => g.resource),
        worker.id,
      ).toContainEqual('*');
    }
    for (const route of routes) {
      expect(
        actionsOf(statementsOf(route.id)).filter((a) => streamActions.includes(a)),
        route.id,
      ).toEqual([]);
    }
  });

  it('alarms as soon as one message is in a dead-letter queue, naming the queue', () => {
    for (const name of queueNames) {
      const alarms = stateless.findResources('AWS::CloudWatch::Alarm', {
        Properties: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLetterQueueId(name), 'QueueName'] } }],
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Threshold: 1,
          EvaluationPeriods: 1,
          TreatMissingData: 'notBreaching',
        },
      });
      expect(Object.keys(alarms), name).toEqual([logicalId(built.stateless, workQueue(name).deadLetterAlarm)]);
      expect(Object.values(alarms)[0]!.Properties.AlarmDescription, name).toContain(`the ${name} queue`);
    }
  });
});

describe('stateless stack: least privilege', () => {
  it('gives read routes no write actions and readwrite routes the write actions', () => {
    for (const route of routes) {
      const actions = actionsOf(statementsOf(route.id));
      if (route.table === 'readwrite') expect(actions, route.id).toEqual(expect.arrayContaining(writeActions));
      else
        expect(
          actions.filter((a) => writeActions.includes(a)),
          route.id,
        ).toEqual([]);
      if (route.table === 'none')
        expect(
          actions.filter((a) => a.startsWith('dynamodb:')),
          route.id,
        ).toEqual([]);
    }
  });

  it('lets only the mail worker send mail, from the configured identity only', () => {
    // No route mails any more: a route writes an outbox item, and the mail worker sends.
    expect(allFunctions.filter((f) => f.flags.sendsMail).map((f) => f.id)).toEqual(['mailWorker']);
    for (const { id, flags } of allFunctions) {
      const mail = statementsOf(id).filter((s) => actionsOf([s]).some((a) => a.startsWith('ses:')));
      if (!flags.sendsMail) {
        expect(mail, id).toEqual([]);
        continue;
      }
      expect(mail, id).toHaveLength(1);
      expect(mail[0]!.Action, id).toBe('ses:SendEmail');
      // The identities of MAIL_FROM in the stack's account and region (the address and its domain,
      // no sesIdentity being set): no wildcard. Both cases are tested with the settings above.
      expect(built.stateless.resolve(mail[0]!.Resource), id).toEqual([sesArn(settings.mailFrom), sesArn('example.org')]);
    }
    // And no policy in either stack allows any SES action to another role.
    const mailRole = logicalId(built.stateless, functionOf('mailWorker').role!);
    for (const template of [stateful, stateless]) {
      for (const [policyId, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
        if (!actionsOf(policy.Properties.PolicyDocument.Statement as Statement[]).some((a) => a.startsWith('ses:'))) continue;
        expect(
          (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref),
          policyId,
        ).toEqual([mailRole]);
      }
    }
  });
});

type DashboardWidget = { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[] } };

/**
 * The widgets of a synthesized dashboard body (an `Fn::Join` of JSON text and references), with
 * each reference written as `Ref:<id>` or `GetAtt:<id>.<attribute>` so the JSON can be parsed.
 */
function dashboardWidgets(body: { 'Fn::Join': [string, unknown[]] }): DashboardWidget[] {
  const text = body['Fn::Join'][1]
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      if (token.Ref) return `Ref:${token.Ref}`;
      if (token['Fn::GetAtt']) return `GetAtt:${token['Fn::GetAtt'].join('.')}`;
      throw new Error(`unexpected token in dashboard body: ${JSON.stringify(part)}`);
    })
    .join('');
  return (JSON.parse(text) as { widgets: DashboardWidget[] }).widgets;
}

/** Every route and worker with all the manifest flags that decide its permissions. */
const manifest = [
  ...routes.map((route) => {
    const flags = route as { table: string } & Flags;
    return {
      id: route.id as string,
      table: flags.table,
      sendsMail: flags.sendsMail === true,
      enqueuesJobs: flags.enqueuesJobs === true,
      readsWebhookSecrets: flags.readsWebhookSecrets === true,
      opensSecrets: false,
      batchWrites: false,
      consumesQueue: false,
      readsStream: false,
      putsEvents: false,
    };
  }),
  ...workers.map((worker) => ({
    id: worker.id as string,
    table: worker.table as string,
    sendsMail: worker.sendsMail === true,
    enqueuesJobs: worker.enqueuesJobs === true,
    readsWebhookSecrets: 'readsWebhookSecrets' in worker && worker.readsWebhookSecrets === true,
    opensSecrets: 'opensSecrets' in worker && worker.opensSecrets === true,
    batchWrites: 'batchWrites' in worker && worker.batchWrites === true,
    consumesQueue: worker.source === 'queue',
    readsStream: worker.source === 'outboxStream' || worker.source === 'eventStream',
    putsEvents: worker.source === 'eventStream',
  })),
];

/** The actions a function's role must hold, derived from its manifest entry alone. */
function expectedActions(entry: (typeof manifest)[number]): string[] {
  const actions = new Set(logActions);
  if (entry.table !== 'none') for (const a of [...tableReadActions, ...indexActions]) actions.add(a);
  if (entry.table === 'readwrite') for (const a of writeActions) actions.add(a);
  if (entry.batchWrites) actions.add('dynamodb:BatchWriteItem');
  if (entry.sendsMail) actions.add('ses:SendEmail');
  if (entry.enqueuesJobs) for (const a of enqueueActions) actions.add(a);
  if (entry.consumesQueue) for (const a of consumeActions) actions.add(a);
  if (entry.readsWebhookSecrets || entry.opensSecrets) for (const a of secretActions) actions.add(a);
  if (entry.putsEvents) actions.add('events:PutEvents');
  // A stream consumer reads the stream and sends what it gives up on to its on-failure queue.
  if (entry.readsStream) for (const a of [...streamActions, ...enqueueActions]) actions.add(a);
  return [...actions].sort();
}

/** Each (action, resource) pair a role's statements grant, resources as rendered in the template. */
function grantsOf(id: string): { action: string; resource: unknown }[] {
  return statementsOf(id).flatMap((statement) => {
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    return actionsOf([statement]).flatMap((action) => resources.map((resource) => ({ action, resource })));
  });
}

describe('stateless stack: IAM matrix', () => {
  /** The table ARN as the stateless stack sees it: the stateful stack's export of it. */
  const tableArnExport = /^EmployeeDirectoryStateful:ExportsOutputFnGetAttTable[0-9A-F]+Arn/;

  it('gives every route and worker role exactly the actions its manifest flags imply, no more, no less', () => {
    expect(manifest).toHaveLength(routes.length + workers.length);
    for (const entry of manifest) {
      const actual = [...new Set(actionsOf(statementsOf(entry.id)))].sort();
      expect(actual, entry.id).toEqual(expectedActions(entry));
    }
  });

  it('scopes table actions to the table and index queries to each named index, never a wildcard', () => {
    const indexNames = Object.keys(tableDefinition.indexes);
    for (const entry of manifest) {
      // Stream actions are on the stream, not the table (tested with the background jobs).
      const dynamo = grantsOf(entry.id).filter((g) => g.action.startsWith('dynamodb:') && !streamActions.includes(g.action));
      if (entry.table === 'none') {
        expect(dynamo, entry.id).toEqual([]);
        continue;
      }
      const onTable = dynamo.filter((g) => !JSON.stringify(g.resource).includes('/index/'));
      const onIndexes = dynamo.filter((g) => JSON.stringify(g.resource).includes('/index/'));
      const tableActions = [
        ...(entry.table === 'readwrite' ? [...tableReadActions, ...writeActions] : tableReadActions),
        ...(entry.batchWrites ? ['dynamodb:BatchWriteItem'] : []),
      ];
      expect(onTable.map((g) => g.action).sort(), entry.id).toEqual([...tableActions].sort());
      for (const grant of onTable) expect(grant.resource, entry.id).toEqual({ 'Fn::ImportValue': expect.stringMatching(tableArnExport) });
      // Only Query on the indexes, one ARN per index of the table definition, built from the table ARN.
      expect(
        onIndexes.map((g) => g.action),
        entry.id,
      ).toEqual(indexNames.map(() => 'dynamodb:Query'));
      const tableResource = onTable[0]!.resource;
      expect(
        onIndexes.map((g) => g.resource),
        entry.id,
      ).toEqual(indexNames.map((name) => ({ 'Fn::Join': ['', [tableResource, `/index/${name}`]] })));
    }
  });

  it('lets each function write logs to its own log group only', () => {
    for (const entry of manifest) {
      const fn = functionOf(entry.id);
      const logGroupId = logicalId(built.stateless, fn.functionLogGroup);
      const grants = grantsOf(entry.id).filter((g) => g.action.startsWith('logs:'));
      expect(grants.map((g) => g.action).sort(), entry.id).toEqual([...logActions].sort());
      for (const grant of grants) expect(grant.resource, entry.id).toEqual({ 'Fn::GetAtt': [logGroupId, 'Arn'] });
    }
  });

  it("has no statement on Resource '*' or any wildcard resource in any function role but the relay's ListStreams", () => {
    // AWS requires `*` only for actions without resource-level permissions (e.g. X-Ray's
    // PutTraceSegments, or the ENI actions of a function in a VPC). The one such action used is
    // ListStreams, which Lambda requires of a stream consumer; it lists stream ARNs, never records.
    // Its cdk-nag IAM5 finding is acknowledged on the relay's policy only.
    const allowedWildcards: { id: string; action: string }[] = streamWorkers.map((w) => ({ id: w.id, action: listStreamsAction }));
    const wildcards = manifest.flatMap((entry) =>
      grantsOf(entry.id)
        .filter((g) => JSON.stringify(g.resource).includes('*'))
        .map((g) => ({ id: entry.id, action: g.action })),
    );
    expect(wildcards).toEqual(allowedWildcards);
  });

  it('grants no function Scan, a dynamodb wildcard or a table-management action, and BatchWriteItem only to the events worker and the due-deliveries schedule', () => {
    const forbidden = /^dynamodb:(Scan|DeleteTable|UpdateTable|CreateTable|DescribeTable|.*\*)$/;
    const policies = Object.values(stateless.findResources('AWS::IAM::Policy'));
    expect(policies.length).toBeGreaterThan(0);
    const offending = policies.flatMap((policy) => actionsOf(policy.Properties.PolicyDocument.Statement as Statement[]).filter((a) => forbidden.test(a)));
    expect(offending).toEqual([]);
    // A batch write carries no condition: only workers that alone write those items at the time.
    const batchWriters = manifest.filter((entry) => actionsOf(statementsOf(entry.id)).includes('dynamodb:BatchWriteItem')).map((entry) => entry.id);
    expect(batchWriters).toEqual(['eventsWorker', 'dueEventDeliveries']);
  });
});

describe('stateless stack: operability', () => {
  const apiId = () => logicalId(built.stateless, built.stateless.api);

  it('alarms when more than 1% of API requests answer 5xx over 5 minutes', () => {
    expect(serverErrorRateThresholdPercent).toBe(1);
    const apiMetric = (id: string, metricName: string) =>
      Match.objectLike({
        Id: id,
        ReturnData: false,
        MetricStat: {
          Metric: { Namespace: 'AWS/ApiGateway', MetricName: metricName, Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId() } }] },
          Period: 300,
          Stat: 'Sum',
        },
      });
    stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(),
      Threshold: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '100 * FILL(errors, 0) / requests' }),
        apiMetric('errors', '5xx'),
        apiMetric('requests', 'Count'),
      ]),
    });
  });

  /** In alarm at the first occurrence within five minutes, and not for missing data. */
  const atFirstInFiveMinutes = {
    AlarmName: Match.absent(),
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  };

  it('alarms on the first error and the first logged failed attempt of every queue worker within 5 minutes', () => {
    expect(queueWorkers.map((w) => w.id)).toEqual(['jobsWorker', 'mailWorker', 'eventsWorker', 'connectorsWorker']);
    // One metric per worker, named after it alone: unique, and unchanged when a worker is added.
    expect(queueWorkers.map((w) => jobAttemptFailuresMetricName(w.id))).toEqual([
      'JobsWorkerJobAttemptFailures',
      'MailWorkerJobAttemptFailures',
      'EventsWorkerJobAttemptFailures',
      'ConnectorsWorkerJobAttemptFailures',
    ]);
    stateless.resourceCountIs('AWS::Logs::MetricFilter', queueWorkers.length);
    for (const worker of queueWorkers) {
      const fn = built.stateless.workers.get(worker.id)!;
      const fnId = logicalId(built.stateless, fn);
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...atFirstInFiveMinutes,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      });
      // The worker reports a failed job as a partial batch failure (no Lambda error), and logs it.
      const filters = Object.values(
        stateless.findResources('AWS::Logs::MetricFilter', {
          Properties: { LogGroupName: { Ref: logicalId(built.stateless, fn.functionLogGroup) } },
        }),
      );
      expect(filters, worker.id).toHaveLength(1);
      const filter = filters[0]!.Properties;
      expect(filter.FilterPattern).toBe(`{ $.message = "${jobAttemptFailedMessage}" }`);
      expect(filter.MetricTransformations).toEqual([
        expect.objectContaining({
          MetricName: jobAttemptFailuresMetricName(worker.id),
          MetricValue: '1',
          MetricNamespace: expect.stringContaining('EmployeeDirectoryStateless'),
        }),
      ]);
      const transformation = filter.MetricTransformations[0];
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...atFirstInFiveMinutes,
        Namespace: transformation.MetricNamespace,
        MetricName: transformation.MetricName,
      });
    }
    // The message the filter matches is the one the shared queue consumer logs, for every queue worker.
    expect(readFileSync(new URL('../../lib/jobs/sqs-consumer.ts', import.meta.url), 'utf8')).toContain(`logger.error('${jobAttemptFailedMessage}'`);
  });

  it('alarms on relay errors, on the relay falling more than 5 minutes behind the stream, and on any record it gave up on', () => {
    expect(iteratorAgeThreshold.toSeconds()).toBe(300);
    expect(streamWorkers.length).toBeGreaterThan(0);
    for (const worker of streamWorkers) {
      const fnId = logicalId(built.stateless, built.stateless.workers.get(worker.id)!);
      const onFunction = { Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }] };
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', { ...atFirstInFiveMinutes, ...onFunction, MetricName: 'Errors' });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...onFunction,
        AlarmName: Match.absent(),
        MetricName: 'IteratorAge',
        Statistic: 'Maximum',
        Period: 300,
        // Milliseconds, the unit of IteratorAge.
        Threshold: 5 * 60 * 1000,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      stateless.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: Match.absent(),
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(built.stateless, built.stateless.onFailureQueues.get(worker.id)!), 'QueueName'] } },
        ],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
    }
  });

  it('has only these alarms, none with a physical name: 5xx rate, per queue worker errors and failed attempts, per stream worker errors, iterator age and given-up records, per queue dead letters', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(1 + 2 * queueWorkers.length + 3 * streamWorkers.length + queueNames.length);
    for (const alarm of alarms) expect(alarm.Properties.AlarmName).toBeUndefined();
  });

  it('has a dashboard of API traffic, errors and latency, Lambda errors and throttles of every function, the queues and the relay', () => {
    const dashboards = Object.values(stateless.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0]!.Properties.DashboardName).toBeUndefined();
    const widgets = dashboardWidgets(dashboards[0]!.Properties.DashboardBody);
    /** The metric lines of the widget with this title: [namespace, name, ...dimension pairs, options]. */
    const lines = (title: string): unknown[][] => {
      const widget = widgets.find((w) => w.properties.title === title);
      expect(widget, title).toBeDefined();
      return widget!.properties.metrics ?? [];
    };
    const api = `Ref:${apiId()}`;
    expect(lines('API requests')).toEqual([['AWS/ApiGateway', 'Count', 'ApiId', api, expect.objectContaining({ stat: 'Sum' })]]);
    expect(lines('API 4xx and 5xx')).toEqual(
      expect.arrayContaining([
        ['AWS/ApiGateway', '4xx', 'ApiId', api, expect.objectContaining({ stat: 'Sum' })],
        ['AWS/ApiGateway', '5xx', 'ApiId', api, expect.objectContaining({ stat: 'Sum' })],
      ]),
    );
    expect(lines('API latency p99 (ms)')).toEqual([['AWS/ApiGateway', 'Latency', 'ApiId', api, expect.objectContaining({ stat: 'p99' })]]);
    for (const [title, metricName] of [
      ['Lambda errors', 'Errors'],
      ['Lambda throttles', 'Throttles'],
    ] as const) {
      const functionLines = lines(title);
      expect(functionLines, title).toHaveLength(manifest.length);
      for (const entry of manifest) {
        const fnRef = `Ref:${logicalId(built.stateless, functionOf(entry.id))}`;
        expect(functionLines, `${title} ${entry.id}`).toContainEqual([
          'AWS/Lambda',
          metricName,
          'FunctionName',
          fnRef,
          expect.objectContaining({ label: entry.id, stat: 'Sum' }),
        ]);
      }
    }
    const queueName = (queue: { node: { defaultChild?: unknown } }) => `GetAtt:${logicalId(built.stateless, queue)}.QueueName`;
    // A row per work queue, each titled by its queue: its depth, oldest message, worker's failed attempts and dead letters.
    const titles: Record<QueueName, string> = { jobs: 'Jobs', mail: 'Mail', events: 'Events', connectors: 'Connectors' };
    for (const worker of queueWorkers) {
      const { queue, deadLetterQueue } = workQueue(worker.queue);
      const title = titles[worker.queue];
      expect(lines(`${title} queue depth`)).toEqual([['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName(queue), expect.anything()]]);
      expect(lines(`${title} queue: age of oldest message (s)`)).toEqual([
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage', 'QueueName', queueName(queue), expect.anything()],
      ]);
      expect(lines(`${title} queue: failed attempts`)).toEqual([
        [
          expect.stringContaining('EmployeeDirectoryStateless'),
          jobAttemptFailuresMetricName(worker.id),
          expect.objectContaining({ label: `${worker.id} failed attempts`, stat: 'Sum' }),
        ],
      ]);
      expect(lines(`${title} dead-letter queue depth`)).toEqual([
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queueName(deadLetterQueue), expect.anything()],
      ]);
    }
    expect(lines('Stream workers: iterator age (ms)')).toEqual(
      streamWorkers.map((w) => [
        'AWS/Lambda',
        'IteratorAge',
        'FunctionName',
        `Ref:${logicalId(built.stateless, functionOf(w.id))}`,
        expect.objectContaining({ stat: 'Maximum' }),
      ]),
    );
    expect(lines('Stream workers: records given up')).toEqual(
      streamWorkers.map((w) => [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        queueName(built.stateless.onFailureQueues.get(w.id)!),
        expect.objectContaining({ stat: 'Maximum' }),
      ]),
    );
    // And the state of every alarm at the top, each queue's dead-letter alarm among them.
    const alarmWidget = widgets.find((w) => w.type === 'alarm');
    const alarmIds = Object.keys(stateless.findResources('AWS::CloudWatch::Alarm'));
    expect(alarmWidget?.properties.alarms).toHaveLength(alarmIds.length);
    expect(alarmWidget!.properties.alarms!.map((arn) => arn.replace(/^GetAtt:(.+)\.Arn$/, '$1')).sort()).toEqual(alarmIds.sort());
    for (const name of queueNames)
      expect(alarmWidget!.properties.alarms, name).toContain(`GetAtt:${logicalId(built.stateless, workQueue(name).deadLetterAlarm)}.Arn`);
  });

  it('keeps every log group for one month: one per function, the API access logs and the console deployment', () => {
    const logGroups = Object.values(stateless.findResources('AWS::Logs::LogGroup'));
    expect(logGroups).toHaveLength(routes.length + workers.length + 2);
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(30);
  });
});

describe('HR webhook secrets', () => {
  /** The secret's ARN as the stateless stack sees it: the stateful stack's export of it. */
  const secretArnImport = /^\{"Fn::ImportValue":"EmployeeDirectoryStateful:ExportsOutputRefHrWebhookSecrets[0-9A-F]+/;

  it('lets only functions flagged readsWebhookSecrets read the secret, and scoped to it', () => {
    const readers = allFunctions.filter((f) => f.flags.readsWebhookSecrets).map((f) => f.id);
    expect(readers).toEqual(['hrWebhookStandard', 'hrWebhook']);
    for (const { id, flags } of allFunctions) {
      // The secrets key's secret has tests of its own ("secrets key", below).
      const secretStatements = statementsOf(id).filter(
        (s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')) && !JSON.stringify(s.Resource).includes('SecretsKeySecret'),
      );
      const variables = variablesOf(id);
      if (!flags.readsWebhookSecrets) {
        expect(secretStatements, id).toEqual([]);
        expect(variables.HR_WEBHOOK_SECRETS_ARN, id).toBeUndefined();
        continue;
      }
      expect(actionsOf(secretStatements), id).toContain('secretsmanager:GetSecretValue');
      expect(
        actionsOf(secretStatements).filter((a) => a.includes('*')),
        id,
      ).toEqual([]);
      for (const statement of secretStatements) {
        // Exactly the one secret: its full ARN, no wildcard, no list of other resources.
        expect(JSON.stringify(statement.Resource), id).not.toContain('*');
        expect(JSON.stringify(statement.Resource), id).toMatch(secretArnImport);
        expect(statement.Resource, id).toEqual(variables.HR_WEBHOOK_SECRETS_ARN);
      }
      expect(JSON.stringify(variables.HR_WEBHOOK_SECRETS_ARN), id).toMatch(secretArnImport);
    }
  });

  it('gives the secret readers (webhook secrets, the secrets key) the Parameters and Secrets extension (arm64 layer, five-minute cache), and no one else', () => {
    const functions = stateless.findResources('AWS::Lambda::Function');
    for (const { id, flags } of allFunctions) {
      const fn = functions[logicalId(built.stateless, functionOf(id))]!;
      const layers = JSON.stringify(fn.Properties.Layers ?? []);
      const variables = variablesOf(id);
      if (!flags.readsWebhookSecrets && !flags.opensSecrets) {
        expect(fn.Properties.Layers, id).toBeUndefined();
        expect(variables.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, id).toBeUndefined();
        continue;
      }
      expect(layers, id).toMatch(/ParamsAndSecrets|parameters-and-secrets|Parameters-and-Secrets/i);
      expect(layers, id).toMatch(/arm64/i);
      expect(variables, id).toMatchObject({
        SECRETS_MANAGER_TTL: '300',
        PARAMETERS_SECRETS_EXTENSION_CACHE_SIZE: '10',
        PARAMETERS_SECRETS_EXTENSION_LOG_LEVEL: 'warn',
      });
    }
  });

  it('grants nothing in any other policy of either stack on the secret', () => {
    const readerRoles = new Set(allFunctions.filter((f) => f.flags.readsWebhookSecrets).map((f) => logicalId(built.stateless, functionOf(f.id).role!)));
    for (const template of [stateful, stateless]) {
      for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
        const statements = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) => JSON.stringify(s.Resource).includes('HrWebhookSecrets'));
        if (!actionsOf(statements).some((a) => a.startsWith('secretsmanager:'))) continue;
        const roles = (policy.Properties.Roles as { Ref: string }[]).map((r) => r.Ref);
        for (const role of roles) expect(readerRoles.has(role), `${id} on ${role}`).toBe(true);
      }
    }
    stateful.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});

describe('event bus: every lifecycle event on an EventBridge bus of the stack, archived', () => {
  const busId = () => logicalId(built.stateless, built.stateless.eventBus);
  const busArn = () => ({ 'Fn::GetAtt': [busId(), 'Arn'] });
  const onFailureQueueId = (workerId: string) => logicalId(built.stateless, built.stateless.onFailureQueues.get(workerId)!);

  it('has one bus, with no rule and no resource policy of ours (consumers add their rules)', () => {
    stateless.resourceCountIs('AWS::Events::EventBus', 1);
    stateless.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    expect(stateless.findResources('AWS::Events::EventBus')[busId()]!.Properties.Policy).toBeUndefined();
    // The stack's rules are the schedules, all on the default bus.
    for (const [id, rule] of Object.entries(stateless.findResources('AWS::Events::Rule'))) {
      expect(rule.Properties.EventBusName, id).toBeUndefined();
      expect(rule.Properties.ScheduleExpression, id).toBeDefined();
    }
  });

  it("archives the directory's events on that bus for 365 days, for replays", () => {
    stateless.resourceCountIs('AWS::Events::Archive', 1);
    stateless.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: busArn(),
      RetentionDays: 365,
      EventPattern: { source: [EVENT_BUS_SOURCE] },
    });
  });

  it('lets only the event bus publisher put events, on that bus only', () => {
    for (const { id } of allFunctions) {
      const puts = grantsOf(id).filter((g) => g.action.startsWith('events:'));
      expect(puts, id).toEqual(id === 'eventBusPublisher' ? [{ action: 'events:PutEvents', resource: busArn() }] : []);
    }
    for (const [id, policy] of Object.entries(stateful.findResources('AWS::IAM::Policy'))) {
      expect(
        actionsOf(policy.Properties.PolicyDocument.Statement as Statement[]).filter((a) => a.startsWith('events:')),
        id,
      ).toEqual([]);
    }
  });

  it("gives the publisher no table access, no queue but its on-failure queue, and the relay's stream mapping settings", () => {
    const publisher = workers.find((w) => w.id === 'eventBusPublisher')!;
    expect(publisher).toMatchObject({ handler: 'event-bus-publisher', table: 'none', source: 'eventStream' });
    const fnId = logicalId(built.stateless, functionOf('eventBusPublisher'));
    const [mapping] = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping', { Properties: { FunctionName: { Ref: fnId } } }));
    expect(mapping!.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [onFailureQueueId('eventBusPublisher'), 'Arn'] } } },
    });
    expect(onFailureQueueId('eventBusPublisher')).not.toBe(onFailureQueueId('outboxRelay'));
  });

  it('alarms on any record the publisher gave up on, on its errors and on its falling behind the stream', () => {
    const monitoring = built.stateless.monitoring;
    for (const alarms of [monitoring.onFailureAlarms, monitoring.iteratorAgeAlarms, monitoring.workerErrorAlarms]) {
      expect(alarms.has('eventBusPublisher')).toBe(true);
    }
    const onFailure = stateless.findResources('AWS::CloudWatch::Alarm')[logicalId(built.stateless, monitoring.onFailureAlarms.get('eventBusPublisher')!)]!;
    expect(onFailure.Properties.AlarmDescription).toContain('lifecycle-event records');
  });

  it('names the bus, its ARN and the archive for consumers and replays', () => {
    stateless.hasOutput('EventBusName', { Value: { Ref: busId() }, Description: Match.stringLikeRegexp(EVENT_BUS_SOURCE) });
    stateless.hasOutput('EventBusArn', { Value: busArn() });
    stateless.hasOutput('EventArchiveArn', {
      Value: { 'Fn::GetAtt': [logicalId(built.stateless, built.stateless.eventArchive), 'Arn'] },
      Description: Match.stringLikeRegexp('start-replay'),
    });
    stateless.hasOutput('EventBusPublisherOnFailureQueueUrl', { Value: { Ref: onFailureQueueId('eventBusPublisher') } });
  });
});

describe('secrets key', () => {
  const keySecretId = () => logicalId(built.stateful, built.stateful.secretsKey.secret);
  /** The key secret's ARN and the public JWK as the stateless stack sees them: the stateful stack's exports. */
  const keySecretImport = /^\{"Fn::ImportValue":"EmployeeDirectoryStateful:ExportsOutputRefSecretsKeySecret[0-9A-F]+/;
  const publicJwkImport = /^\{"Fn::ImportValue":"EmployeeDirectoryStateful:ExportsOutputFnGetAttSecretsKey[0-9A-Za-z]*PublicJwk/;

  it('keeps the private half in an empty, retained secret of the stateful stack, with its logical ID pinned', () => {
    expect(keySecretId()).toBe('SecretsKeySecret8D322D6B');
    const secret = stateful.findResources('AWS::SecretsManager::Secret')[keySecretId()]!;
    expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // No value at all from the template: the key resource's Create puts the one value it ever gets.
    expect(secret.Properties.GenerateSecretString).toBeUndefined();
    expect(secret.Properties.SecretString).toBeUndefined();
    expect(secret.Properties.Description).toContain('Never edit or delete it');
  });

  it('generates the pair with a custom resource (pinned logical ID) whose handler may only describe and put that secret', () => {
    const resources = stateful.findResources('Custom::DirectorySecretsKey');
    expect(Object.keys(resources)).toEqual(['SecretsKey317DCF94']);
    expect(Object.values(resources)[0]!.Properties).toMatchObject({ SecretArn: { Ref: keySecretId() } });
    const handlerRole = logicalId(built.stateful, built.stateful.secretsKey.node.findChild('HandlerRole') as unknown as { node: { defaultChild?: unknown } });
    const statements = Object.values(stateful.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: handlerRole }] } })).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
    const secretGrants = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('secretsmanager:')));
    expect(actionsOf(secretGrants).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue']);
    for (const statement of secretGrants) expect(statement.Resource).toEqual({ Ref: keySecretId() });
    // Nothing in the stateful stack may read a secret's value, the key handler included.
    for (const [id, policy] of Object.entries(stateful.findResources('AWS::IAM::Policy'))) {
      expect(actionsOf(policy.Properties.PolicyDocument.Statement as Statement[]), id).not.toContain('secretsmanager:GetSecretValue');
    }
    // No role of the key's (handler or framework) carries a managed policy.
    for (const [id, role] of Object.entries(stateful.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });

  it('gives the public half to the sealing and opening functions only, and the private half to the opening ones only', () => {
    const sealers = allFunctions.filter((f) => f.flags.sealsSecrets).map((f) => f.id);
    const openers = allFunctions.filter((f) => f.flags.opensSecrets).map((f) => f.id);
    expect(sealers).toEqual(['createEventSubscription', 'rotateEventSubscriptionSecret', 'createConnector']);
    expect(openers).toEqual(['eventsWorker', 'connectorsWorker']);
    for (const { id, flags } of allFunctions) {
      const variables = variablesOf(id);
      if (flags.sealsSecrets || flags.opensSecrets) expect(JSON.stringify(variables.SECRETS_PUBLIC_JWK), id).toMatch(publicJwkImport);
      else expect(variables.SECRETS_PUBLIC_JWK, id).toBeUndefined();
      if (flags.opensSecrets) expect(JSON.stringify(variables.SECRETS_PRIVATE_KEY_ARN), id).toMatch(keySecretImport);
      else expect(variables.SECRETS_PRIVATE_KEY_ARN, id).toBeUndefined();
    }
  });

  it('lets only the opening functions read the key secret, and that secret only', () => {
    for (const { id, flags } of allFunctions) {
      const onKey = grantsOf(id).filter((g) => JSON.stringify(g.resource).includes('SecretsKeySecret'));
      if (!flags.opensSecrets) {
        expect(onKey, id).toEqual([]);
        continue;
      }
      expect(onKey.map((g) => g.action).sort(), id).toEqual([...secretActions].sort());
      for (const grant of onKey) expect(JSON.stringify(grant.resource), id).toMatch(keySecretImport);
      // Nothing else from Secrets Manager: the opening functions read no webhook secret.
      expect(
        grantsOf(id).filter((g) => g.action.startsWith('secretsmanager:') && !JSON.stringify(g.resource).includes('SecretsKeySecret')),
        id,
      ).toEqual([]);
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
