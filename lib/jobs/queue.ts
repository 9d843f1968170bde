import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger';

/** Where committed jobs go to be run. Adapters: SQS in AWS (with a DLQ), in-process locally. */
export interface JobQueue {
  enqueue(jobId: string): Promise<void>;
}

export type JobMessage = { jobId: string };

export class SqsJobQueue implements JobQueue {
  constructor(private readonly client: SQSClient, private readonly queueUrl: string | undefined) {}

  async enqueue(jobId: string): Promise<void> {
    if (!this.queueUrl) throw new Error('JOBS_QUEUE_URL is not configured for this function');
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ jobId } satisfies JobMessage) }));
  }
}

/**
 * Runs jobs in this process, after the current request, with a few retries like SQS redelivery.
 * The same worker code as in AWS; `idle()` lets tests and the local server wait for quiet.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly running = new Set<Promise<void>>();
  private runner: ((jobId: string) => Promise<unknown>) | undefined;

  constructor(private readonly attempts = 3) {}

  /** The worker is attached after construction: it needs the dependencies this queue is part of. */
  attach(runner: (jobId: string) => Promise<unknown>): this {
    this.runner = runner;
    return this;
  }

  async enqueue(jobId: string): Promise<void> {
    const run = this.runner;
    if (!run) throw new Error('no job runner attached');
    const task = (async () => {
      await sleep(0);
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        try {
          await run(jobId);
          return;
        } catch (error) {
          logger.warn('job attempt failed', { jobId, attempt, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
          await sleep(50 * attempt);
        }
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
