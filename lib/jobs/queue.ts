import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { logger } from '../logger';

/** Work that runs after the request that committed it: a handover job, or an HR delivery to apply. */
export const jobMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('handover'), jobId: z.string().min(1) }),
  z.object({ type: z.literal('hrDelivery'), provider: z.string().min(1), deliveryId: z.string().min(1) }),
]);
export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Where committed jobs go to be run. Adapters: SQS in AWS (with a DLQ), in-process locally. */
export interface JobQueue {
  enqueue(message: JobMessage): Promise<void>;
}

export class SqsJobQueue implements JobQueue {
  constructor(private readonly client: SQSClient, private readonly queueUrl: string | undefined) {}

  async enqueue(message: JobMessage): Promise<void> {
    if (!this.queueUrl) throw new Error('JOBS_QUEUE_URL is not configured for this function');
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }));
  }
}

/**
 * Runs jobs in this process, after the current request, with a few retries like SQS redelivery.
 * The same worker code as in AWS; `idle()` lets tests and the local server wait for quiet.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly running = new Set<Promise<void>>();
  private runner: ((message: JobMessage) => Promise<unknown>) | undefined;

  constructor(private readonly attempts = 3) {}

  /** The worker is attached after construction: it needs the dependencies this queue is part of. */
  attach(runner: (message: JobMessage) => Promise<unknown>): this {
    this.runner = runner;
    return this;
  }

  async enqueue(message: JobMessage): Promise<void> {
    const run = this.runner;
    if (!run) throw new Error('no job runner attached');
    const task = (async () => {
      await sleep(0);
      for (let attempt = 1; attempt <= this.attempts; attempt++) {
        try {
          await run(message);
          return;
        } catch (error) {
          logger.warn('job attempt failed', { type: message.type, attempt, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
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
