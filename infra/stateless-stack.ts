import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { OUTBOX_ENTITY } from '../lib/data/outbox-item';
import { EVENT_BUS_SOURCE, EVENT_ENTITY } from '../lib/events/bus';
import { routes, servedMethods, workers } from '../lib/http/routes';
import { queueNames, type QueueName } from '../lib/jobs/queue';
import { ConsoleDeployment, consoleContentSecurityPolicy } from './console';
import { DirectoryFunction, type AppEnvironment } from './directory-function';
import { hrWebhookProviders, hrWebhookSenders } from './stateful-stack';
import { deadLetterQueue, maxReceiveCount, WorkQueue } from './work-queue';
import { Monitoring } from './monitoring';
import { sesIdentitiesFor, type Throttle } from './settings';

export type StatelessStackProps = StackProps & {
  /**
   * The single table, owned by the stateful stack and passed by reference. It must have a stream
   * (`tableStreamArn`): the outbox relay reads it.
   */
  table: dynamodb.ITableV2;
  /** OIDC issuer whose tokens the HTTP API's JWT authorizer accepts. */
  jwtIssuer: string;
  /** Audience (`aud`) those tokens must carry. */
  jwtAudience: string;
  /**
   * Scopes required on every admin route (the token's `scope`/`scp` claim must hold one of them);
   * empty: none, so an ID token of the issuer and audience passes too.
   */
  jwtScopes: readonly string[];
  /** The sender address (MAIL_FROM). */
  mailFrom: string;
  /**
   * The verified SES identity mail is sent through (the address, or its domain); absent: both the
   * address identity and its domain identity. See `sesIdentitiesFor`.
   */
  sesIdentity?: string;
  subjectClaim: string;
  /** Base URL of the web app, used in mailed links. */
  appBaseUrl: string;
  /** The stage's default route throttling: every admin route. */
  apiThrottle: Throttle;
  /** The throttling of each public route (its own token bucket), lower than `apiThrottle`. */
  publicRouteThrottle: Throttle;
  /** The HR webhook signing secrets, owned by the stateful stack; only `readsWebhookSecrets` routes may read them. */
  webhookSecrets: secretsmanager.ISecret;
  /**
   * The secrets key, owned by the stateful stack: its public JWK goes to the `sealsSecrets` and
   * `opensSecrets` functions, its secret (the private half) may be read by `opensSecrets` ones only.
   */
  secretsKey: { publicJwk: string; secret: secretsmanager.ISecret };
  /**
   * The admin console: where it is served (owned by the stateful stack; `origin` is the only origin
   * the API's CORS allows), the built files to deploy there, and its OIDC client.
   */
  console: {
    hosting: { bucket: s3.IBucket; distribution: cloudfront.IDistribution; origin: string };
    directory: string;
    clientId: string;
    scope: string;
    /** Extra origins the console may fetch from (its CSP's connect-src), e.g. the provider's token endpoint's. */
    connectOrigins: readonly string[];
  };
};

/**
 * The request headers the console sends to the API: its bearer token and a JSON body's type. No
 * other header is read by any route (lib/http), so no other is allowed across origins.
 */
export const corsAllowHeaders = ['authorization', 'content-type'] as const;

/** How long a browser may reuse a preflight answer (Chromium caps it at 2 hours). */
export const corsMaxAge = Duration.hours(1);

type Worker = (typeof workers)[number];

/** `inviteUser` -> `InviteUser`, for stable construct ids (and so stable logical IDs). */
const pascalCase = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

/** Fields valid for HTTP API access logs; must include the request id. */
const accessLogFormat = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/**
 * Timeout of each queue's worker; the queue's visibility timeout (six times it) derives from it, so
 * it also sets how soon a failed message is retried. A job works in chunks and records its
 * progress, so one cut short resumes where it stopped when SQS redelivers its message. A mail is
 * one read, one write and one SES call: 30 seconds, so a throttled send is retried within minutes.
 * An event delivery run sends its subscription's events (15 s each at most, 16 at once) and hands
 * the rest on 60 s before its limit; what it holds stays in the run item until recorded.
 */
export const queueWorkerTimeouts: Record<QueueName, Duration> = {
  jobs: Duration.minutes(5),
  mail: Duration.seconds(30),
  events: Duration.minutes(2),
  connectors: Duration.minutes(2),
};

/**
 * Messages per invocation of each queue's worker: one, except the events worker's ten (SQS's
 * largest batch without a batching window, so nothing waits to fill it): its deliveries of one
 * subscription run together (lib/use-cases/event-delivery.ts), and its fan-outs read the
 * subscriptions once for all.
 */
export const queueBatchSizes: Record<QueueName, number> = { jobs: 1, mail: 1, events: 10, connectors: 1 };

/**
 * Concurrent mail worker invocations at most: SES's sending rate (14 a second when production
 * access starts) is an account limit, and a bulk invite must queue behind it rather than fail
 * into retries. Throttled sends are retried anyway.
 */
export const mailWorkerMaxConcurrency = 5;

/**
 * Timeout of the scheduled workers: well under the shortest schedule (5 minutes), so runs do not
 * pile up. A run cut short leaves the rest due, and the next run carries it out.
 */
const scheduledWorkerTimeout = Duration.minutes(2);

/**
 * Timeout of the outbox relay. A batch of 100 records is ten SendMessageBatch calls; a minute
 * leaves room for the SDK's retries without holding the shard long when SQS is failing.
 */
const relayTimeout = Duration.minutes(1);

/**
 * How long the relay's event source retries a record before handing it to the on-failure queue:
 * well inside the stream's 24-hour retention, so a record is never trimmed unreported and the
 * stream position in the failure message can still be read for some hours afterwards.
 */
const relayMaxRecordAge = Duration.hours(12);

/** Retries of a failing batch before its records go to the on-failure queue. */
const relayRetryAttempts = 10;

/**
 * How long the event bus's archive keeps each event, for replays. Bounded rather than indefinite:
 * an event carries the user's view (names, addresses), and an erased user's events should not
 * outlive a year in the archive (docs/events.md, "EventBridge").
 */
export const eventArchiveRetention = Duration.days(365);

/** What each stream worker reads, for the filter on its event source and its descriptions. */
const streamEntities = { outboxStream: OUTBOX_ENTITY, eventStream: EVENT_ENTITY } as const;
const givenUpDescriptions = {
  outboxStream: 'Stream positions of outbox records the relay gave up on (their outbox items stay in the table 7 days)',
  eventStream: 'Stream positions of lifecycle-event records the event bus publisher gave up on (the events stay in the table)',
} as const;

/**
 * The replaceable part: one function per route in the manifest behind an HTTP API. Admin routes go
 * through the JWT authorizer; public routes carry their own credential (a mailed token) or none.
 * Plus the background side: one function per worker, fed by the table's stream (the outbox relay),
 * by its work queue or run on an EventBridge schedule; and one work queue per name of
 * lib/jobs/queue.ts (each with its dead-letter queue and alarm), which only workers flagged
 * `enqueuesJobs` (the relay) write to.
 */
export class StatelessStack extends Stack {
  readonly api: apigwv2.HttpApi;
  /** The function of each HTTP route, by route id. */
  readonly functions: ReadonlyMap<string, DirectoryFunction>;
  /** The function of each worker (stream consumer, queue consumer or scheduled), by worker id. */
  readonly workers: ReadonlyMap<string, DirectoryFunction>;
  /** Each work queue, by queue name; each is consumed by exactly one `queue` worker. */
  readonly queues: ReadonlyMap<QueueName, WorkQueue>;
  /** The on-failure destination of each stream worker's event source, by worker id. */
  readonly onFailureQueues: ReadonlyMap<string, sqs.Queue>;
  /** Alarms (API 5xx rate, queue workers' failures, the stream workers) and the dashboard. */
  readonly monitoring: Monitoring;
  /**
   * The bus every lifecycle event is put on (by the `eventStream` worker alone), for AWS consumers'
   * rules; no rule of ours and no resource policy, so only this account's principals with
   * permissions may use it.
   */
  readonly eventBus: events.EventBus;
  /** The bus's archive of the directory's events, kept {@link eventArchiveRetention}, for replays. */
  readonly eventArchive: events.Archive;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    // The default stage is built by hand below so it can carry access logs and throttling. CORS
    // lets exactly the console's origin call it, with the methods the routes serve and the
    // headers the console sends; no credentials (cookies), since the token is a bearer header.
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [props.console.hosting.origin],
        allowMethods: [...new Set(routes.flatMap((route) => servedMethods(route)))].map((method) => apigwv2.CorsHttpMethod[method]),
        allowHeaders: [...corsAllowHeaders],
        allowCredentials: false,
        maxAge: corsMaxAge,
      },
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.apiThrottle,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    const jwtAuthorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: [props.jwtAudience],
    });

    // The relay sends to every queue of queueNames (loadRelayConfig requires each URL), so each
    // must have a worker draining it; two consumers of one queue would take each other's messages.
    for (const name of queueNames) {
      const consumers = workers.filter((w) => w.source === 'queue' && w.queue === name);
      if (consumers.length !== 1) throw new Error(`queue ${name} needs exactly one consuming worker, has ${consumers.length}`);
    }
    // The construct id is the queue's name in PascalCase: `Jobs` keeps the jobs queue's logical IDs.
    const queues = new Map(queueNames.map((name) => [name, new WorkQueue(this, pascalCase(name), { name, consumerTimeout: queueWorkerTimeouts[name] })]));
    this.queues = queues;

    const app: AppEnvironment = {
      table: props.table,
      subjectClaim: props.subjectClaim,
      appBaseUrl: props.appBaseUrl,
    };

    // Which functions get the secrets key: the sealing ones its public half only.
    const sealing = { publicJwk: props.secretsKey.publicJwk };
    const opening = { publicJwk: props.secretsKey.publicJwk, secret: props.secretsKey.secret };

    const functions = new Map<string, DirectoryFunction>();
    const publicRoutes: apigwv2.HttpRoute[] = [];
    for (const route of routes) {
      const name = pascalCase(route.id);
      const fn = new DirectoryFunction(this, `${name}Function`, {
        handler: route.handler,
        app,
        ...('readsWebhookSecrets' in route && route.readsWebhookSecrets && { webhookSecrets: props.webhookSecrets }),
        ...('sealsSecrets' in route && route.sealsSecrets && { secretsKey: sealing }),
      });
      fn.bindTable(props.table, route.table);
      functions.set(route.id, fn);

      const apiRoutes = this.api.addRoutes({
        path: route.path,
        methods: servedMethods(route).map((method) => apigwv2.HttpMethod[method]),
        integration: new HttpLambdaIntegration(`${name}Integration`, fn),
        authorizer: route.auth === 'admin' ? jwtAuthorizer : new apigwv2.HttpNoneAuthorizer(),
        ...(route.auth === 'admin' && props.jwtScopes.length > 0 && { authorizationScopes: [...props.jwtScopes] }),
      });

      if (route.auth === 'public') {
        publicRoutes.push(...apiRoutes);
        for (const apiRoute of apiRoutes) {
          Validations.of(apiRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design: it carries its own credential (a mailed single-use token, or a provider's webhook signature checked against the HR webhook secret) or exposes only the API description.`,
          });
        }
      }
    }
    this.functions = functions;

    // Each public route gets its own, lower token bucket (route-level throttling in the stage's
    // RouteSettings, keyed by route key), so an unauthenticated flood of webhooks or token
    // confirmations is refused at the gateway instead of taking the Lambda concurrency and table
    // capacity the admins' routes need. The stage must be created after the routes it names.
    const cfnStage = stage.node.defaultChild as apigwv2.CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const apiRoute of publicRoutes) {
      const cfnRoute = apiRoute.node.defaultChild as apigwv2.CfnRoute;
      routeSettings[cfnRoute.routeKey] = {
        ThrottlingRateLimit: props.publicRouteThrottle.rateLimit,
        ThrottlingBurstLimit: props.publicRouteThrottle.burstLimit,
      };
      cfnStage.addDependency(cfnRoute);
    }
    cfnStage.routeSettings = routeSettings;

    // No physical name (two deployments can share an account), no rule and no resource policy of
    // ours: consumers add their rules to it (docs/events.md, "EventBridge").
    this.eventBus = new events.EventBus(this, 'EventBus', { description: 'Lifecycle events of the employee directory (one per committed change to a user)' });
    this.eventArchive = this.eventBus.archive('EventArchive', {
      description: 'Every lifecycle event of the directory, for replays',
      eventPattern: { source: [EVENT_BUS_SOURCE] },
      retention: eventArchiveRetention,
    });

    const workerFunction = (worker: Worker, timeout: Duration, appEnvironment = true): DirectoryFunction => {
      const fn = new DirectoryFunction(this, `${pascalCase(worker.id)}Function`, {
        handler: worker.handler,
        app: appEnvironment ? app : undefined,
        timeout,
        ...(worker.readsWebhookSecrets && { webhookSecrets: props.webhookSecrets }),
        ...(worker.opensSecrets && { secretsKey: opening }),
      });
      fn.bindTable(props.table, worker.table);
      if (worker.batchWrites) fn.allowBatchWrites(props.table);
      if (worker.enqueuesJobs) for (const [name, { queue }] of queues) fn.allowEnqueuing(name, queue);
      if (worker.sendsMail) fn.allowSendingMail(props.mailFrom, sesIdentitiesFor(props));
      return fn;
    };

    // Each kind of source is wired by its own case; a new kind fails to compile until it has one.
    const workerFunctions = new Map<string, DirectoryFunction>();
    const onFailureQueues = new Map<string, sqs.Queue>();
    for (const worker of workers) {
      let fn: DirectoryFunction;
      switch (worker.source) {
        case 'outboxStream':
        case 'eventStream': {
          // The relay reads only the queue URLs (loadRelayConfig), the publisher only the bus
          // (loadEventBusPublisherConfig): never the table or mail settings.
          fn = workerFunction(worker, relayTimeout, false);
          if (worker.source === 'eventStream') {
            fn.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
            // events:PutEvents on this bus only.
            this.eventBus.grantPutEventsTo(fn);
          }
          const onFailure = deadLetterQueue(this, `${pascalCase(worker.id)}OnFailureQueue`);
          // SQS3 recognises a dead-letter queue only by a redrive policy or a function's
          // DeadLetterConfig naming it, not by an event source mapping's on-failure destination.
          Validations.of(onFailure).acknowledge({
            id: 'AwsSolutions-SQS3',
            reason:
              "This queue is itself a dead-letter destination: the on-failure destination of a stream worker's DynamoDB stream event source (the outbox relay's or the event bus publisher's), which receives the stream position of records it gave up on. A queue that only receives failures needs no dead-letter queue of its own.",
          });
          onFailureQueues.set(worker.id, onFailure);
          // Only INSERTs of outbox items invoke the relay (of event items, the publisher; each
          // worker has its own event source mapping and position): the filter runs in the poller, so the
          // table's other writes cost no invocation. TRIM_HORIZON: a new mapping starts from the
          // oldest record the stream holds, so items written before it existed are relayed too.
          // Up to 100 records per invocation, relayed in order. A batch the relay reports failed
          // from some record on is retried from that record; one that throws or times out is split
          // in half. After the retries or the record age, the records are given up to the
          // on-failure queue, which receives their stream position, not their content; the outbox
          // items themselves stay in the table until their TTL, so the work can be queued again.
          fn.addEventSource(
            new DynamoEventSource(props.table, {
              startingPosition: lambda.StartingPosition.TRIM_HORIZON,
              batchSize: 100,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              retryAttempts: relayRetryAttempts,
              maxRecordAge: relayMaxRecordAge,
              onFailure: new SqsDlq(onFailure),
              filters: [
                lambda.FilterCriteria.filter({
                  eventName: lambda.FilterRule.isEqual('INSERT'),
                  dynamodb: { NewImage: { entity: { S: lambda.FilterRule.isEqual(streamEntities[worker.source]) } } },
                }),
              ],
            }),
          );
          // Lambda documents ListStreams among the permissions a DynamoDB stream consumer needs.
          // The event source grants it on the stream ARN only (TableV2's grantStreamRead), which
          // grants nothing: ListStreams has no resource-level permissions, so `*` is the only
          // resource it can be allowed on. It lists stream ARNs, never records: those stay behind
          // GetRecords and GetShardIterator, which the event source scopes to this table's stream.
          fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
          Validations.of(fn.role!.node.findChild('DefaultPolicy')).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason:
              'dynamodb:ListStreams supports no resource-level permissions, so it can only be granted on "*"; Lambda requires it of a DynamoDB stream consumer. It reveals stream ARNs only: reading records (GetRecords, GetShardIterator, DescribeStream) is granted on this table\'s stream alone.',
          });
          break;
        }
        case 'queue':
          fn = workerFunction(worker, queueWorkerTimeouts[worker.queue]);
          // One message per invocation, so one slow job or mail never holds others back; the events
          // worker takes up to 10, run as one delivery run per subscription side by side (a slow
          // subscriber holds up only its own). A failed one is reported alone (partial batch
          // response) and redelivered until the queue's receive limit. The event source grants the
          // function the consume actions on the queue.
          fn.addEventSource(
            new SqsEventSource(queues.get(worker.queue)!.queue, {
              batchSize: queueBatchSizes[worker.queue],
              reportBatchItemFailures: true,
              ...(worker.queue === 'mail' && { maxConcurrency: mailWorkerMaxConcurrency }),
            }),
          );
          break;
        case 'schedule':
          fn = workerFunction(worker, scheduledWorkerTimeout);
          // EventBridge invokes the function asynchronously on the schedule; the target adds the
          // resource-based permission for events.amazonaws.com from this rule only.
          new events.Rule(this, `${pascalCase(worker.id)}Schedule`, {
            description: `Runs ${worker.handler} on ${worker.schedule}`,
            schedule: events.Schedule.expression(worker.schedule),
            targets: [new targets.LambdaFunction(fn)],
          });
          break;
        default: {
          const unwired: never = worker;
          throw new Error(`worker source not wired: ${JSON.stringify(unwired)}`);
        }
      }
      workerFunctions.set(worker.id, fn);
    }
    this.workers = workerFunctions;

    // Consumers before producers: a deployment that adds a kind of outbox message (say, mail)
    // updates the relay and the queue workers before any function that writes the table can
    // produce it, so an old relay never sees a message it would drop as malformed.
    const consumers = workers.filter((w) => w.source === 'outboxStream' || w.source === 'queue').map((w) => workerFunctions.get(w.id)!);
    // (The event bus publisher is no such consumer: a new event type needs nothing of it.)
    const producers = [
      ...routes.filter((r) => r.table === 'readwrite').map((r) => functions.get(r.id)!),
      ...workers.filter((w) => w.source === 'schedule' && w.table === 'readwrite').map((w) => workerFunctions.get(w.id)!),
    ];
    for (const producer of producers) producer.node.addDependency(...consumers);
    this.onFailureQueues = onFailureQueues;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api,
      functions: new Map([...functions, ...workerFunctions]),
      queueWorkers: new Map(workers.filter((w) => w.source === 'queue').map((w) => [w.id, { fn: workerFunctions.get(w.id)!, queue: queues.get(w.queue)! }])),
      streamWorkers: new Map(
        workers.flatMap((w) =>
          w.source === 'outboxStream' || w.source === 'eventStream'
            ? [[w.id, { fn: workerFunctions.get(w.id)!, onFailureQueue: onFailureQueues.get(w.id)!, givenUp: givenUpDescriptions[w.source] }] as const]
            : [],
        ),
      ),
    });

    // The console and its config.json, naming this API. Here rather than with the bucket in the
    // stateful stack because it depends on the API, and is rebuilt by every deploy anyway.
    new ConsoleDeployment(this, 'Console', {
      hosting: props.console.hosting,
      directory: props.console.directory,
      config: {
        apiBaseUrl: this.api.apiEndpoint,
        auth: { kind: 'oidc', issuer: props.jwtIssuer, clientId: props.console.clientId, scope: props.console.scope },
      },
      contentSecurityPolicy: consoleContentSecurityPolicy({
        apiOrigin: this.api.apiEndpoint,
        issuer: props.jwtIssuer,
        connectOrigins: props.console.connectOrigins,
      }),
    });

    // What an operator copies after a deploy (docs/deployment.md, "Stack outputs"). No export names:
    // nothing imports them. `stage.url` ends with a slash.
    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API (the <api> of the docs)' });
    for (const provider of hrWebhookProviders) {
      new CfnOutput(this, `HrWebhookUrl${pascalCase(provider)}`, {
        value: `${stage.url}webhooks/hr/${provider}`,
        description: `The URL to give ${hrWebhookSenders[provider]} (its signing secret goes in the HrWebhookSecrets secret as "${provider}")`,
      });
    }
    for (const [name, { deadLetterQueue }] of queues) {
      new CfnOutput(this, `${pascalCase(name)}DeadLetterQueueArn`, {
        value: deadLetterQueue.queueArn,
        description: `Dead-letter queue of the ${name} queue: messages that failed ${maxReceiveCount} times (re-drive with sqs start-message-move-task --source-arn <this>)`,
      });
    }
    for (const worker of workers) {
      if (worker.source !== 'outboxStream' && worker.source !== 'eventStream') continue;
      new CfnOutput(this, `${pascalCase(worker.id)}OnFailureQueueUrl`, {
        value: onFailureQueues.get(worker.id)!.queueUrl,
        description: givenUpDescriptions[worker.source],
      });
    }
    new CfnOutput(this, 'EventBusName', {
      value: this.eventBus.eventBusName,
      description: `The bus every lifecycle event is put on (source ${EVENT_BUS_SOURCE}, detail-type the event type): add your rules to it`,
    });
    new CfnOutput(this, 'EventBusArn', { value: this.eventBus.eventBusArn, description: 'That bus by ARN: the destination of a replay' });
    new CfnOutput(this, 'EventArchiveArn', {
      value: this.eventArchive.archiveArn,
      description: `Archive of those events, kept ${eventArchiveRetention.toDays()} days: the --event-source-arn of aws events start-replay`,
    });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard of the directory' });
  }
}
