import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '../lib/jobs/queue';

export type WorkQueueProps = {
  /** Which queue of lib/jobs/queue.ts this is; named in the alarm so an operator knows which one. */
  name: QueueName;
  /** Timeout of the function that consumes the queue; the visibility timeout is derived from it. */
  consumerTimeout: Duration;
};

/** Receives of one message before SQS moves it to the dead-letter queue. */
export const maxReceiveCount = 5;

/**
 * A queue that only receives what failed for good: encrypted, TLS only, and kept for the longest
 * SQS allows (14 days), time to look at a failure before its message is gone. Shared by every work
 * queue's dead-letter queue and the outbox relay's on-failure destination so they cannot drift.
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
 * One work queue of lib/jobs/queue.ts (`jobs`, `mail`): carries the messages the outbox relay
 * routes to it to the worker that consumes it, with a dead-letter queue for messages that keep
 * failing and an alarm on that queue. Every work queue is built here, so none can differ from the
 * others in encryption, redrive or alarm.
 *
 * The queue and its dead-letter queue are DESTROYed with the stack (the CDK default, stated explicitly): a message only
 * carries ids of work whose state lives in the table (a job, a pending invitation or login-email
 * change), so losing a queue loses no data; work left unfinished there can be resumed by queueing
 * its message again.
 * No physical names, so the stack can be deployed twice in one account and replaced freely.
 */
export class WorkQueue extends Construct {
  readonly name: QueueName;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** In alarm as soon as one message sits in the dead-letter queue. No actions yet. */
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    this.name = props.name;

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
      alarmDescription: `A message of the ${props.name} queue failed repeatedly and reached its dead-letter queue.`,
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
