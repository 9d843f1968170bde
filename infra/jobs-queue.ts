import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export type JobsQueueProps = {
  /** Timeout of the function that consumes the queue; the visibility timeout is derived from it. */
  consumerTimeout: Duration;
};

/** Receives of one message before SQS moves it to the dead-letter queue. */
export const maxReceiveCount = 5;

/**
 * A queue that only receives what failed for good: encrypted, TLS only, and kept for the longest
 * SQS allows (14 days), time to look at a failure before its message is gone. Shared by the jobs
 * queue's dead-letter queue and the outbox relay's on-failure destination so the two cannot drift.
 */
export function deadLetterQueue(scope: Construct, id: string): sqs.Queue {
  return new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * The queue that carries background jobs (`{ jobId }` messages) from the outbox relay to the
 * workers, with a dead-letter queue for messages that keep failing and an alarm on that queue.
 *
 * Both queues are DESTROYed with the stack (the CDK default, stated explicitly): a message only
 * points at a job whose state lives in the table, so losing a queue loses no data; a job left
 * unfinished there can be resumed by queueing its id again.
 * No physical names, so the stack can be deployed twice in one account and replaced freely.
 */
export class JobsQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm as soon as one message sits in the dead-letter queue. No actions yet. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: JobsQueueProps) {
    super(scope, id);

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue');

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for Lambda consumers: at least six times the function timeout, so a message
      // is not handed to a second invocation while the first one may still be working on it.
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'A background job failed repeatedly and its message reached the dead-letter queue.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
