import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { routes, workers } from '../lib/http/routes';
import { DirectoryFunction, sesIdentityArn } from './directory-function';
import { JobsQueue } from './jobs-queue';
import { Monitoring } from './monitoring';

export type StatelessStackProps = StackProps & {
  /** The single table, owned by the stateful stack and passed by reference. */
  table: dynamodb.ITableV2;
  /** OIDC issuer whose tokens the HTTP API's JWT authorizer accepts. */
  jwtIssuer: string;
  /** Audience (`aud`) those tokens must carry. */
  jwtAudience: string;
  /** SES sender identity (an email address). */
  mailFrom: string;
  subjectClaim: string;
  /** Base URL of the web app, used in mailed links. */
  appBaseUrl: string;
  /** The HR webhook signing secrets, owned by the stateful stack; only `readsWebhookSecrets` routes may read them. */
  webhookSecrets: secretsmanager.ISecret;
};

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
 * Timeout of the queue workers. A job works in chunks and records its progress, so one cut short
 * by the timeout resumes where it stopped when SQS redelivers its message.
 */
const workerTimeout = Duration.minutes(5);

/**
 * Timeout of the scheduled workers: well under the shortest schedule (5 minutes), so runs do not
 * pile up. A run cut short leaves the rest due, and the next run carries it out.
 */
const scheduledWorkerTimeout = Duration.minutes(2);

/**
 * The replaceable part: one function per route in the manifest behind an HTTP API. Admin routes go
 * through the JWT authorizer; public routes carry their own credential (a mailed token) or none.
 * Plus the background side: the jobs queue (with its dead-letter queue and alarm), which routes and
 * workers flagged `enqueuesJobs` write to, and one function per worker, fed by the jobs queue or run
 * on an EventBridge schedule.
 */
export class StatelessStack extends Stack {
  readonly api: apigwv2.HttpApi;
  /** The function of each HTTP route, by route id. */
  readonly functions: ReadonlyMap<string, DirectoryFunction>;
  /** The function of each worker (queue consumer or scheduled), by worker id. */
  readonly workers: ReadonlyMap<string, DirectoryFunction>;
  readonly jobs: JobsQueue;
  /** Alarms (API 5xx rate, job failures) and the dashboard. */
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);

    // The default stage is built by hand below so it can carry access logs and throttling.
    this.api = new apigwv2.HttpApi(this, 'HttpApi', { createDefaultStage: false });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs), format: accessLogFormat },
    });

    const jwtAuthorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: [props.jwtAudience],
    });
    const mailIdentityArn = sesIdentityArn(this, props.mailFrom);

    this.jobs = new JobsQueue(this, 'Jobs', { consumerTimeout: workerTimeout });

    const functions = new Map<string, DirectoryFunction>();
    for (const route of routes) {
      const name = pascalCase(route.id);
      const fn = new DirectoryFunction(this, `${name}Function`, {
        handler: route.handler,
        table: props.table,
        mailFrom: props.mailFrom,
        subjectClaim: props.subjectClaim,
        appBaseUrl: props.appBaseUrl,
      });
      fn.bindTable(props.table, route.table);
      if ('sendsMail' in route && route.sendsMail) fn.allowSendingMail(mailIdentityArn);
      if ('enqueuesJobs' in route && route.enqueuesJobs) fn.allowEnqueuingJobs(this.jobs.queue);
      if ('readsWebhookSecrets' in route && route.readsWebhookSecrets) {
        // GetSecretValue (and DescribeSecret) on this one secret; no other function gets either.
        fn.addEnvironment('HR_WEBHOOK_SECRETS_ARN', props.webhookSecrets.secretArn);
        props.webhookSecrets.grantRead(fn);
      }
      functions.set(route.id, fn);

      const apiRoutes = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${name}Integration`, fn),
        authorizer: route.auth === 'admin' ? jwtAuthorizer : new apigwv2.HttpNoneAuthorizer(),
      });

      if (route.auth === 'public') {
        for (const apiRoute of apiRoutes) {
          Validations.of(apiRoute).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is public by design: it carries its own credential (a mailed single-use token, or a provider's webhook signature checked against the HR webhook secret) or exposes only the API description.`,
          });
        }
      }
    }
    this.functions = functions;

    const workerFunction = (worker: Worker, timeout: Duration): DirectoryFunction => {
      const fn = new DirectoryFunction(this, `${pascalCase(worker.id)}Function`, {
        handler: worker.handler,
        table: props.table,
        mailFrom: props.mailFrom,
        subjectClaim: props.subjectClaim,
        appBaseUrl: props.appBaseUrl,
        timeout,
      });
      fn.bindTable(props.table, worker.table);
      if (worker.enqueuesJobs) fn.allowEnqueuingJobs(this.jobs.queue);
      if ('readsWebhookSecrets' in worker && worker.readsWebhookSecrets === true) {
        fn.addEnvironment('HR_WEBHOOK_SECRETS_ARN', props.webhookSecrets.secretArn);
        props.webhookSecrets.grantRead(fn);
      }
      return fn;
    };

    // Each kind of source is wired by its own case; a new kind fails to compile until it has one.
    const workerFunctions = new Map<string, DirectoryFunction>();
    for (const worker of workers) {
      let fn: DirectoryFunction;
      switch (worker.source) {
        case 'jobsQueue':
          fn = workerFunction(worker, workerTimeout);
          // One job per invocation, so one slow job never holds others back; a failed job is
          // reported alone (partial batch response) and redelivered until the queue's receive
          // limit. The event source grants the function the consume actions on the queue.
          fn.addEventSource(new SqsEventSource(this.jobs.queue, { batchSize: 1, reportBatchItemFailures: true }));
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

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api,
      functions: new Map([...functions, ...workerFunctions]),
      jobWorkers: new Map(workers.filter((w) => w.source === 'jobsQueue').map((w) => [w.id, workerFunctions.get(w.id)!])),
      jobs: this.jobs,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard of the directory' });
  }
}
