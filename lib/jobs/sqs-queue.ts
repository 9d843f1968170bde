import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { JobMessage, JobQueue } from './queue';

/** AWS adapter: one SQS message per job; the jobs worker consumes them (dead-letter queue after 5 receives). */
export class SqsJobQueue implements JobQueue {
  constructor(private readonly client: SQSClient, private readonly queueUrl: string | undefined) {}

  async enqueue(message: JobMessage): Promise<void> {
    if (!this.queueUrl) throw new Error('JOBS_QUEUE_URL is not configured for this function');
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}
