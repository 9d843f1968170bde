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
  private batchRunner: ((messages: OutboxMessage[]) => Promise<unknown>) | undefined;

  private readonly lanes = new Map<string, Lane>();
  private readonly batchLanes = new Map<string, BatchLane>();

  /**
   * At most `perLane` messages of a lane run at once, the rest wait their turn in order. A lane is
   * one webhook subscription's deliveries, one connector's work, or one kind of other work (mail,
   * handovers, the fan-out...), as the separate queues and functions are in AWS: a burst (1,000
   * dismissals from HR) finishes its first messages first instead of starting every one at once,
   * and a subscriber that hangs fills only its own lane, never the others'.
   */
  constructor(
    private readonly attempts = 3,
    private readonly perLane = 8,
  ) {}

  /**
   * Waits for a slot in the lane and answers the message to run then; undefined when the same
   * pair's turn was already waiting there, which now reaches as far as both (the later sequence).
   */
  private async turn(lane: Lane, message: OutboxMessage): Promise<OutboxMessage | undefined> {
    const holder = { current: message };
    if (lane.active < this.perLane) {
      lane.active++;
      return message;
    }
    const pair = pairOf(message);
    const twin = pair === undefined ? undefined : lane.waiting.find((waiting) => waiting.pair === pair);
    if (twin) {
      twin.message.current = furthest(twin.message.current, message);
      return undefined;
    }
    // The slot is handed over by `done`, so `active` stays counted.
    await new Promise<void>((resolve) => lane.waiting.push({ resolve, pair, message: holder }));
    return holder.current;
  }

  private done(lane: Lane): void {
    const next = lane.waiting.shift();
    if (next) next.resolve();
    else lane.active--;
  }

  private laneFor(message: OutboxMessage): Lane {
    const key = laneOf(message);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /**
   * The worker is attached after construction: it needs the dependencies this queue is part of.
   * With `batchRunner`, event-delivery messages are run in batches, as the events worker gets them
   * from SQS: one batch at a time per batch lane (one subscription's deliveries; the fan-out), each
   * batch everything that waited in the lane meanwhile (at most {@link MAX_BATCH}).
   */
  attach(runner: (message: OutboxMessage) => Promise<unknown>, batchRunner?: (messages: OutboxMessage[]) => Promise<unknown>): this {
    this.runner = runner;
    this.batchRunner = batchRunner;
    return this;
  }

  async enqueue(message: OutboxMessage, options: EnqueueOptions = {}): Promise<void> {
    const run = this.runner;
    if (!run) throw new Error('no job runner attached');
    const batchKey = this.batchRunner ? batchLaneOf(message) : undefined;
    if (batchKey !== undefined) {
      this.enqueueBatched(batchKey, { message, options });
      return;
    }
    const lane = this.laneFor(message);
    const task = (async () => {
      await sleep(0);
      const turn = await this.turn(lane, message);
      if (!turn) {
        // That waiting run delivers whatever this one would (the schedule re-queues due pairs while a lane is full).
        await this.handled(message, options);
        return;
      }
      try {
        await this.runWithRetries(run, turn, options);
      } finally {
        this.done(lane);
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private enqueueBatched(key: string, entry: Waiting): void {
    let lane = this.batchLanes.get(key);
    if (!lane) {
      lane = { running: false, waiting: [] };
      this.batchLanes.set(key, lane);
    }
    lane.waiting.push(entry);
    if (lane.running) return;
    lane.running = true;
    const batchLane = lane;
    const task = (async () => {
      // After the current request, and after whatever else it queued: a burst becomes one batch.
      await sleep(0);
      try {
        while (batchLane.waiting.length > 0) await this.runBatchWithRetries(batchLane.waiting.splice(0, MAX_BATCH));
      } finally {
        batchLane.running = false;
      }
    })();
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  private async runBatchWithRetries(batch: Waiting[]): Promise<void> {
    const run = this.batchRunner!;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await run(batch.map((entry) => entry.message));
      } catch (error) {
        logger.warn('job attempt failed', {
          type: batch[0]!.message.type,
          messages: batch.length,
          attempt,
          errorName: (error as Error)?.name,
          errorMessage: (error as Error)?.message,
        });
        await sleep(50 * attempt);
        continue;
      }
      for (const entry of batch) await this.handled(entry.message, entry.options);
      return;
    }
    logger.error('job not handled after every attempt', { type: batch[0]!.message.type, messages: batch.length, attempts: this.attempts });
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
      await this.handled(message, options);
      return;
    }
    logger.error('job not handled after every attempt', {
      type: message.type,
      attempts: this.attempts,
      ...(options.onHandled ? { retriedAt: 'the next start (its outbox item stays unhandled)' } : {}),
    });
  }

  private async handled(message: OutboxMessage, options: EnqueueOptions): Promise<void> {
    try {
      await options.onHandled?.();
    } catch (error) {
      // The work is done; the worst case is that it runs again, which every job tolerates.
      logger.warn('job handled, but recording that failed', { type: message.type, errorName: (error as Error)?.name });
    }
  }

  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

type Lane = { active: number; waiting: { resolve: () => void; pair: string | undefined; message: { current: OutboxMessage } }[] };
type Waiting = { message: OutboxMessage; options: EnqueueOptions };
type BatchLane = { running: boolean; waiting: Waiting[] };

/** Messages one batch holds at most (an SQS batch holds 10; a local burst is cut into runs of this many). */
const MAX_BATCH = 1_000;

/** The connector pair a message gives its turn to (one run of a pair covers every event it has waiting). */
function pairOf(message: OutboxMessage): string | undefined {
  if (message.type === 'provision') return `${message.connectorId} ${message.userId}`;
  return undefined;
}

/** Two turns of one connector pair as one: through the later sequence, or to the end when either says so. */
function furthest(waiting: OutboxMessage, next: OutboxMessage): OutboxMessage {
  if (waiting.type !== 'provision' || next.type !== 'provision') return waiting;
  const sequence = waiting.sequence === undefined || next.sequence === undefined ? undefined : Math.max(waiting.sequence, next.sequence);
  return { ...waiting, sequence };
}

/** The batch lane of an event-delivery message: its subscription's for `deliver`, one for the fan-out. */
export function batchLaneOf(message: OutboxMessage): string | undefined {
  if (message.type === 'deliver') return `subscription:${message.subscriptionId}`;
  if (message.type === 'events') return 'events';
  return undefined;
}

/** Which lane a message waits in: its target's for deliveries and connector work, its kind's otherwise. */
export function laneOf(message: OutboxMessage): string {
  switch (message.type) {
    case 'deliver':
      return `subscription:${message.subscriptionId}`;
    case 'provision':
      return `connector:${message.connectorId}`;
    default:
      return message.type;
  }
}
