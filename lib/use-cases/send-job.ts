import { logger } from '../logger';
import type { Deps } from '../runtime';

/**
 * Queues a committed job. If queueing fails the job stays `pending` and visible at GET /jobs/{id}
 * (nothing is lost); the failure is logged with the job id.
 */
export async function sendJob(deps: Deps, jobId: string): Promise<void> {
  try {
    await deps.jobs.enqueue(jobId);
  } catch (error) {
    logger.error('job not queued', { jobId, errorName: (error as Error)?.name });
  }
}
