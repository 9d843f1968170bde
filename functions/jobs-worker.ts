import { jobMessageSchema } from '../lib/jobs/queue';
import { runJob } from '../lib/jobs/run-job';
import { queueWorker } from '../lib/jobs/sqs-consumer';
import { runtime } from '../lib/runtime';

/**
 * Consumer of the jobs queue: handover jobs and HR deliveries. A handover stops between chunks
 * with time to spare (30 s before the function's limit) and is queued again to resume.
 */
export const handler = queueWorker(jobMessageSchema, (message, context) =>
  runJob(runtime(), message, { shouldYield: () => context.getRemainingTimeInMillis() < 30_000 }),
);
