import { fileURLToPath } from 'node:url';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableDefinition } from '../lib/data/table-definition';
import type { TableAccess } from '../lib/http/routes';
import type { QueueName } from '../lib/jobs/queue';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The service name Powertools stamps on every log line. */
export const serviceName = 'employee-directory';

/** DynamoDB actions on the table of a function that reads (`table: 'read'`). */
export const tableReadActions = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'] as const;
/** Added on the table for `table: 'readwrite'`; transactions are authorised per contained action. */
export const tableWriteActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;
/** The only action on the indexes: they are queried, never read by key or written. */
export const indexReadActions = ['dynamodb:Query'] as const;

/** The settings `loadConfig` (lib/config.ts) validates at cold start, for the functions that call it. */
export type AppEnvironment = {
  table: dynamodb.ITableV2;
  /** The JWT claim holding the caller's directory user id. */
  subjectClaim?: string;
  appBaseUrl: string;
};

export type DirectoryFunctionProps = {
  /** File name in `functions/` without `.ts`, e.g. `invite-user`. */
  handler: string;
  /**
   * Omitted for a function that never calls `loadConfig` (the outbox relay), so it is not handed
   * a table name or mail settings it has no use for.
   */
  app?: AppEnvironment;
  /** Defaults to 10 seconds, enough for an HTTP request; queue workers take longer. */
  timeout?: Duration;
  /**
   * The HR webhook signing secrets, for the functions that verify webhooks: read through the AWS
   * Parameters and Secrets extension (a layer; it caches the secret for five minutes), so the
   * function bundles no Secrets Manager client. The function may read this one secret only.
   */
  webhookSecrets?: secretsmanager.ISecret;
  /**
   * The secrets key (infra/secrets-key.ts), for the functions that seal (`publicJwk` only:
   * SECRETS_PUBLIC_JWK) or also open (`secret` too: SECRETS_PRIVATE_KEY_ARN, GetSecretValue on that
   * secret alone, read through the same extension layer as the webhook secrets).
   */
  secretsKey?: { publicJwk: string; secret?: secretsmanager.ISecret };
};

/**
 * One place for the defaults every directory function shares: ESM bundle of `functions/<handler>.ts`
 * (AWS SDK included, so the deployed code runs the SDK version we tested), arm64 on the newest
 * Node.js runtime, a log group with a retention, and grants narrower than the defaults.
 */
export class DirectoryFunction extends nodejs.NodejsFunction {
  /** The function's own log group (retention one month), e.g. for metric filters on its JSON logs. */
  readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DirectoryFunctionProps) {
    // An explicit log group instead of the implicit one so that retention and removal are ours.
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of the default one with the AWSLambdaBasicExecutionRole managed policy
    // (logs on `*`): this one may write to its own log group only.
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);

    const readsSecrets = props.webhookSecrets !== undefined || props.secretsKey?.secret !== undefined;
    super(scope, id, {
      entry: `${repoRoot}functions/${props.handler}.ts`,
      handler: 'handler',
      projectRoot: repoRoot,
      depsLockFilePath: `${repoRoot}package-lock.json`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      role,
      environment: {
        ...(props.app && {
          TABLE_NAME: props.app.table.tableName,
          AUTH_SUBJECT_CLAIM: props.app.subjectClaim ?? 'sub',
          APP_BASE_URL: props.app.appBaseUrl,
        }),
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName,
        ...(props.webhookSecrets && { HR_WEBHOOK_SECRETS_ARN: props.webhookSecrets.secretArn }),
        ...(props.secretsKey && { SECRETS_PUBLIC_JWK: props.secretsKey.publicJwk }),
        ...(props.secretsKey?.secret && { SECRETS_PRIVATE_KEY_ARN: props.secretsKey.secret.secretArn }),
      },
      ...(readsSecrets && {
        paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
          cacheSize: 10,
          secretsManagerTtl: Duration.minutes(5),
          logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
        }),
      }),
      bundling: {
        forceDockerBundling: false,
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        platform: 'node',
        minify: true,
        logLevel: nodejs.LogLevel.WARNING,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // ESM output has no `require`; CommonJS dependencies bundled into it still call it.
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        // Bundle the AWS SDK too instead of relying on the runtime's copy.
        externalModules: [],
      },
    });
    this.functionLogGroup = logGroup;
    // GetSecretValue (and DescribeSecret) on this one secret; no other function gets either.
    props.webhookSecrets?.grantRead(this);
    props.secretsKey?.secret?.grantRead(this);
  }

  /**
   * Grants exactly the DynamoDB actions the code sends, instead of `grantReadData` /
   * `grantReadWriteData` (which add Scan, BatchWriteItem, DescribeTable and the stream actions, on an
   * `index/*` wildcard):
   *   read      GetItem, BatchGetItem, Query, ConditionCheckItem on the table, and Query on each
   *             index of `tableDefinition`, each named (no wildcard; a new index in the definition
   *             is granted by the same loop);
   *   readwrite the read set plus PutItem, UpdateItem, DeleteItem on the table. TransactWriteItems
   *             has no action of its own: IAM authorises each Put/Update/Delete/ConditionCheck in it.
   * No Scan or table-management action for any function; BatchWriteItem only by {@link allowBatchWrites}.
   */
  bindTable(table: dynamodb.ITableV2, mode: TableAccess): void {
    if (mode === 'none') return;
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: mode === 'readwrite' ? [...tableReadActions, ...tableWriteActions] : [...tableReadActions],
        resources: [table.tableArn],
      }),
    );
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...indexReadActions],
        resources: Object.keys(tableDefinition.indexes).map((indexName) => `${table.tableArn}/index/${indexName}`),
      }),
    );
  }

  /**
   * BatchWriteItem on the table, for the workers that write items they alone write at the time
   * (`batchWrites` in lib/http/routes.ts): a batch carries no condition, so no other function
   * gets it.
   */
  allowBatchWrites(table: dynamodb.ITableV2): void {
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:BatchWriteItem'], resources: [table.tableArn] }));
  }

  /**
   * Lets the function send to one work queue: the queue's URL in `<NAME>_QUEUE_URL` (the variable
   * `loadRelayConfig` reads for it) and `sqs:SendMessage` on it (which also authorises
   * SendMessageBatch). Only the outbox relay gets this, for every queue: every other function
   * queues work by writing an outbox item in its transaction.
   */
  allowEnqueuing(name: QueueName, queue: sqs.IQueue): void {
    this.addEnvironment(`${name.toUpperCase()}_QUEUE_URL`, queue.queueUrl);
    queue.grantSendMessages(this);
  }

  /**
   * Sends as `mailFrom` (MAIL_FROM): `ses:SendEmail` (the one SES action the mailer calls) on the
   * ARNs of the given SES identities only, never `*`, and only with `mailFrom` as the sender
   * (`ses:FromAddress`). SES authorises a send on the identity that is verified: the address
   * identity if the address is verified, the domain identity if only its domain is, so the
   * identities must include the verified one or every send is AccessDenied.
   */
  allowSendingMail(mailFrom: string, identities: readonly string[]): void {
    if (identities.length === 0) throw new Error('allowSendingMail needs at least one SES identity');
    this.addEnvironment('MAIL_FROM', mailFrom);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: identities.map((identity) => sesIdentityArn(this, identity)),
        conditions: { StringEquals: { 'ses:FromAddress': mailFrom } },
      }),
    );
  }
}

/** ARN of the SES identity (an address or a domain) in the stack's account and region. */
export function sesIdentityArn(scope: Construct, identity: string): string {
  return Stack.of(scope).formatArn({
    service: 'ses',
    resource: 'identity',
    resourceName: identity,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}
