import { setTimeout as sleep } from 'node:timers/promises';
import { logger } from '../logger';
import type { OutboxMessage } from './queue';

export type EnqueueOptions = {
  /**
   * Runs once the message was handled (not when every attempt failed): the local runtime marks
   * the message's outbox item handled here, so what is not marked is run again at the next start.
   */
  onHandled?: () => Promise<void>;
};

/**
 * Runs jobs in this process, after the current request, with a few retries like SQS redelivery.
 * The same worker code as in AWS; `idle()` lets tests and the local server wait for quiet.
 */
export class InProcessQueue {
  private readonly running = new Set<Promise<void>>();
  private runner: ((message: OutboxMessage) => Promise<unknown>) | undefined;

  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /**
   * At most `concurrency` messages run at once, the rest wait their turn in order, as the maximum
   * concurrency of a Lambda event source mapping would: a burst (1,000 dismissals from HR) then finishes
   * its first messages first, instead of starting all of them and making each wait on the others
   * for DynamoDB Local and the receivers.
   */
  constructor(
    private readonly attempts = 3,
    private readonly concurrency = 16,
  ) {}

  private async turn(): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return;
    }
    // The slot is handed over by `done`, so `active` stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private done(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  /** The worker is attached after construction: it needs the dependencies this queue is part of. */
  attach(runner: (message: OutboxMessage) => Promise<unknown>): this {
    this.runner = runner;
    return this;
  }

  async enqueue(message: OutboxMessage, options: EnqueueOptions = {}): Promise<void> {
    const run = this.runner;
    if (!run) throw new Error('no job runner attached');
    const task = (async () => {
      await sleep(0);
      await this.turn();
      try {
        await this.runWithRetries(run, message, options);
      } finally {
        this.done();
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private async runWithRetries(run: (message: OutboxMessage) => Promise<unknown>, message: OutboxMessage, options: EnqueueOptions): Promise<void> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await run(message);
      } catch (error) {
        logger.warn('job attempt failed', { type: message.type, attempt, errorName: (error as Error)?.name, errorMessage: (error as Error)?.message });
        await sleep(50 * attempt);
        continue;
      }
      try {
        await options.onHandled?.();
      } catch (error) {
        // The work is done; the worst case is that it runs again, which every job tolerates.
        logger.warn('job handled, but recording that failed', { type: message.type, errorName: (error as Error)?.name });
      }
      return;
    }
    logger.error('job not handled after every attempt', {
      type: message.type,
      attempts: this.attempts,
      ...(options.onHandled ? { retriedAt: 'the next start (its outbox item stays unhandled)' } : {}),
    });
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
