import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger';
import type { OutboxMessage } from './queue';

/**
 * Runs jobs in this process, after the current request, with a few retries like SQS redelivery.
 * The same worker code as in AWS; `idle()` lets tests and the local server wait for quiet.
 */
export class InProcessJobQueue {
  private readonly running = new Set<Promise<void>>();
  private runner: ((message: OutboxMessage) => Promise<unknown>) | undefined;

  constructor(private readonly attempts = 3) {}

  /** The worker is attached after construction: it needs the dependencies this queue is part of. */
  attach(runner: (message: OutboxMessage) => Promise<unknown>): this {
    this.runner = runner;
    return this;
  }

  async enqueue(message: OutboxMessage): Promise<void> {
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
