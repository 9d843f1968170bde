import { eventMessageSchema } from '../lib/jobs/queue';
import { batchQueueWorker } from '../lib/jobs/sqs-consumer';
import { runtime } from '../lib/runtime';
import { secretBoxFor } from '../lib/secrets/aws';
import { runEventMessages } from '../lib/use-cases/event-delivery';

/**
 * Consumer of the events queue, up to 10 messages at once: fans lifecycle events out to the
 * subscriptions that want them, and delivers each subscription's pairs in one run that holds the
 * subscription's run lease, each user's events in order (docs/events.md). A run hands the rest on
 * (a fresh message) with time to spare for one more round: a round starts no attempt after 30 s and
 * an attempt lasts 15 s at most, so it yields with less than 60 s left of the function's 2 minutes.
 */
export const handler = batchQueueWorker(eventMessageSchema, (messages, context) =>
  runEventMessages(runtime({ secretBoxFor }), messages, { shouldYield: () => context.getRemainingTimeInMillis() < 60_000 }),
);
