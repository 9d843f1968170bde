import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { serviceName, type DirectoryFunction } from './directory-function';
import type { WorkQueue } from './work-queue';

export type MonitoringProps = {
  api: apigwv2.IHttpApi;
  /** Every directory function, by route or worker id (the id labels its lines on the dashboard). */
  functions: ReadonlyMap<string, DirectoryFunction>;
  /**
   * The functions that consume a work queue, by worker id, each with its queue: each worker gets
   * failure alarms, each queue a row on the dashboard (one consumer per queue, so one row each).
   */
  queueWorkers: ReadonlyMap<string, { fn: DirectoryFunction; queue: WorkQueue }>;
  /**
   * The functions fed by the table's stream (the outbox relay, the event bus publisher), by worker
   * id, each with its event source's on-failure queue and what a message there means: each gets
   * error, iterator-age and given-up-records alarms.
   */
  streamWorkers: ReadonlyMap<string, { fn: DirectoryFunction; onFailureQueue: sqs.IQueue; givenUp: string }>;
};

/** `jobsWorker` -> `JobsWorker`, for construct ids, metric names and titles. */
const pascalCase = (id: string): string => id.charAt(0).toUpperCase() + id.slice(1);

/** The 5xx rate, in percent of requests, above which the API alarm fires. */
export const serverErrorRateThresholdPercent = 1;

/**
 * The message every queue worker logs (Powertools JSON, field `message`) for each failed attempt
 * at a message, a job or a mail alike: they share lib/jobs/sqs-consumer.ts.
 */
export const jobAttemptFailedMessage = 'job attempt failed';

/**
 * Name of the custom metric counting a queue worker's failed attempts, from its log group. Derived
 * from the worker id alone, never from how many workers there are, so adding a worker renames no
 * existing metric (a renamed metric starts over with no history).
 */
export const jobAttemptFailuresMetricName = (workerId: string): string => `${pascalCase(workerId)}JobAttemptFailures`;

/**
 * How far a stream worker may fall behind (age of the newest record it read) before its alarm
 * fires. The relay normally keeps up within seconds; five minutes behind means handovers, HR
 * deliveries and mails are waiting on it, typically because it keeps failing and retrying one batch.
 */
export const iteratorAgeThreshold = Duration.minutes(5);

const fiveMinutes = Duration.minutes(5);

/**
 * Alarms and a dashboard for the directory. The alarms have no actions yet (subscribe a topic when
 * there is an on-call channel) and no physical names, like everything else in the stack, so it can
 * be deployed twice in one account. Each dead-letter alarm lives with its queue (WorkQueue).
 */
export class Monitoring extends Construct {
  /** The HTTP API's 5xx rate over 5 minutes above {@link serverErrorRateThresholdPercent}. */
  readonly serverErrorAlarm: cloudwatch.Alarm;
  /** Per queue worker and stream worker: its Lambda `Errors` (crashes, timeouts) ≥ 1 over 5 minutes. */
  readonly workerErrorAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Per queue worker: logged failed attempts ≥ 1 over 5 minutes. */
  readonly jobFailureAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Per stream worker: maximum `IteratorAge` over 5 minutes above {@link iteratorAgeThreshold}. */
  readonly iteratorAgeAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Per stream worker: a record given up on sits in its on-failure queue. */
  readonly onFailureAlarms: ReadonlyMap<string, cloudwatch.Alarm>;
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { api } = props;

    // A rate rather than a count of 5xx, so the threshold means the same at any traffic. Handlers
    // answer domain errors with 4xx, so a 5xx is a fault of ours (a crash, a timeout, DynamoDB or SES
    // failing); more than 1% of requests over 5 minutes is worth a look. At the directory's low
    // traffic one failed request among few can cross it: that is intended, each is a failed admin
    // action. Without requests the expression has no data, which does not breach.
    const requests = api.metricCount({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
    const serverErrors = api.metricServerError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
    const clientErrors = api.metricClientError({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
    const latencyP99 = api.metricLatency({ period: fiveMinutes, statistic: cloudwatch.Stats.p(99) });
    const serverErrorRate = new cloudwatch.MathExpression({
      expression: '100 * FILL(errors, 0) / requests',
      usingMetrics: { errors: serverErrors, requests },
      period: fiveMinutes,
      label: '5xx rate (%)',
    });
    this.serverErrorAlarm = serverErrorRate.createAlarm(this, 'ServerErrorRateAlarm', {
      alarmDescription: `More than ${serverErrorRateThresholdPercent}% of HTTP API requests answered 5xx over 5 minutes.`,
      threshold: serverErrorRateThresholdPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Queue workers' failures (handovers, HR deliveries, mails). A message whose work throws is caught
    // by the worker and reported as a partial batch failure, so Lambda's `Errors` stays at 0 for it:
    // `Errors` only catches crashes and timeouts. Each caught failure is logged as "job attempt
    // failed"; a metric filter per worker counts those. Both alarm on the first occurrence: a failed
    // attempt is retried, but an operator should know before the fifth one sends the message to the
    // dead-letter queue.
    // The namespace carries the stack name so that two deployments in one account keep apart.
    const namespace = `${serviceName}/${Stack.of(this).stackName}`;
    const workerErrorAlarms = new Map<string, cloudwatch.Alarm>();
    const jobFailureAlarms = new Map<string, cloudwatch.Alarm>();
    const jobFailureMetrics = new Map<string, cloudwatch.IMetric>();
    const errorsAlarm = (workerId: string, fn: DirectoryFunction): cloudwatch.Alarm =>
      fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM }).createAlarm(this, `${pascalCase(workerId)}ErrorsAlarm`, {
        alarmDescription: `The ${workerId} function failed (crash or timeout) at least once in 5 minutes.`,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    for (const [workerId, { fn, queue }] of props.queueWorkers) {
      const name = pascalCase(workerId);
      workerErrorAlarms.set(workerId, errorsAlarm(workerId, fn));
      const filter = new logs.MetricFilter(this, `${name}JobAttemptFailures`, {
        logGroup: fn.functionLogGroup,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', jobAttemptFailedMessage),
        metricNamespace: namespace,
        metricName: jobAttemptFailuresMetricName(workerId),
        metricValue: '1',
      });
      const failures = filter.metric({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM });
      jobFailureMetrics.set(workerId, failures.with({ label: `${workerId} failed attempts` }));
      jobFailureAlarms.set(
        workerId,
        failures.createAlarm(this, `${name}JobFailuresAlarm`, {
          alarmDescription: `A message of the ${queue.name} queue failed in ${workerId} at least once in 5 minutes (logged "${jobAttemptFailedMessage}"); it is retried until it reaches the ${queue.name} dead-letter queue.`,
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    // The outbox relay. A batch it cannot queue is reported as a partial batch failure, which does
    // not count in `Errors` either; the stream then retries that batch and reads nothing newer
    // from the shard meanwhile, so a relay that keeps failing shows as a growing iterator age long
    // before its retries run out. Records it gives up on land in the on-failure queue: each one is
    // follow-up work (a handover, an HR delivery, a mail) that will not happen until an operator
    // re-queues it.
    const iteratorAgeAlarms = new Map<string, cloudwatch.Alarm>();
    const onFailureAlarms = new Map<string, cloudwatch.Alarm>();
    const iteratorAgeMetrics: cloudwatch.IMetric[] = [];
    const onFailureMetrics: cloudwatch.IMetric[] = [];
    for (const [workerId, { fn, onFailureQueue, givenUp: givenUpMeaning }] of props.streamWorkers) {
      const name = pascalCase(workerId);
      workerErrorAlarms.set(workerId, errorsAlarm(workerId, fn));
      const iteratorAge = fn.metric('IteratorAge', { period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM });
      iteratorAgeMetrics.push(iteratorAge.with({ label: `${workerId} iterator age` }));
      iteratorAgeAlarms.set(
        workerId,
        iteratorAge.createAlarm(this, `${name}IteratorAgeAlarm`, {
          alarmDescription: `The ${workerId} function is more than ${iteratorAgeThreshold.toHumanString()} behind the table's stream: what it carries is waiting on it.`,
          threshold: iteratorAgeThreshold.toMilliseconds(),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
      const givenUp = onFailureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM });
      onFailureMetrics.push(givenUp.with({ label: `${workerId} given up` }));
      onFailureAlarms.set(
        workerId,
        givenUp.createAlarm(this, `${name}OnFailureAlarm`, {
          alarmDescription: `The ${workerId} function gave up on stream records. ${givenUpMeaning}.`,
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    this.workerErrorAlarms = workerErrorAlarms;
    this.jobFailureAlarms = jobFailureAlarms;
    this.iteratorAgeAlarms = iteratorAgeAlarms;
    this.onFailureAlarms = onFailureAlarms;

    // One line per function and metric (about 70 lines in all, well under a graph's limit): the
    // label says which route or worker failed, which a SEARCH expression would not show as plainly.
    const perFunction = (metric: (fn: DirectoryFunction) => cloudwatch.Metric): cloudwatch.IMetric[] =>
      [...props.functions].map(([fnId, fn]) => metric(fn).with({ label: fnId }));
    const sum = { period: fiveMinutes, statistic: cloudwatch.Stats.SUM };
    const maximum = { period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM };

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: 24,
            alarms: [
              this.serverErrorAlarm,
              ...workerErrorAlarms.values(),
              ...jobFailureAlarms.values(),
              ...iteratorAgeAlarms.values(),
              ...onFailureAlarms.values(),
              ...[...props.queueWorkers.values()].map(({ queue }) => queue.deadLetterAlarm),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'API requests', width: 8, left: [requests.with({ label: 'requests' })] }),
          new cloudwatch.GraphWidget({
            title: 'API 4xx and 5xx',
            width: 8,
            left: [clientErrors.with({ label: '4xx' }), serverErrors.with({ label: '5xx' })],
            right: [serverErrorRate],
          }),
          new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', width: 8, left: [latencyP99.with({ label: 'p99' })] }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Lambda errors', width: 12, height: 8, left: perFunction((fn) => fn.metricErrors(sum)) }),
          new cloudwatch.GraphWidget({ title: 'Lambda throttles', width: 12, height: 8, left: perFunction((fn) => fn.metricThrottles(sum)) }),
        ],
        // One row per work queue: its depth and oldest message (is its worker keeping up?), its
        // worker's failed attempts (retried) and its dead letters (given up).
        ...[...props.queueWorkers].map(([workerId, { queue }]) => {
          const title = pascalCase(queue.name);
          return [
            new cloudwatch.GraphWidget({
              title: `${title} queue depth`,
              width: 6,
              left: [queue.queue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'visible' })],
            }),
            new cloudwatch.GraphWidget({
              title: `${title} queue: age of oldest message (s)`,
              width: 6,
              left: [queue.queue.metricApproximateAgeOfOldestMessage({ ...maximum, label: 'oldest' })],
            }),
            new cloudwatch.GraphWidget({ title: `${title} queue: failed attempts`, width: 6, left: [jobFailureMetrics.get(workerId)!] }),
            new cloudwatch.GraphWidget({
              title: `${title} dead-letter queue depth`,
              width: 6,
              left: [queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...maximum, label: 'dead letters' })],
            }),
          ];
        }),
        [
          new cloudwatch.GraphWidget({ title: 'Stream workers: iterator age (ms)', width: 12, left: iteratorAgeMetrics }),
          new cloudwatch.GraphWidget({ title: 'Stream workers: records given up', width: 12, left: onFailureMetrics }),
        ],
      ],
    });
  }
}
