import { eventMessageSchema } from '../lib/jobs/queue';
import { queueWorker } from '../lib/jobs/sqs-consumer';
import { runtime } from '../lib/runtime';
import { secretBoxFor } from '../lib/secrets/aws';
import { runEventMessage } from '../lib/use-cases/event-delivery';

/**
 * Consumer of the events queue: fans each lifecycle event out to the subscriptions that want it,
 * and delivers one (subscription, user) pair's events in order (docs/events.md). A run hands the
 * pair on (a fresh message) with time to spare: 30 s before the function's limit.
 */
export const handler = queueWorker(eventMessageSchema, (message, context) =>
  runEventMessage(runtime({ secretBoxFor }), message, { shouldYield: () => context.getRemainingTimeInMillis() < 30_000 }),
);
