import type { JobMessage } from '../jobs/queue';
import { logger } from '../logger';
import type { Deps } from '../runtime';

/**
 * Queues committed work. If queueing fails, the job stays `pending` (GET /jobs/{id}) or the HR
 * delivery `received` (GET /webhooks/deliveries?status=received, re-drivable): nothing is lost,
 * and the failure is logged with the ids.
 */
export async function sendJob(deps: Deps, message: JobMessage): Promise<void> {
  try {
    await deps.jobs.enqueue(message);
  } catch (error) {
    logger.error('job not queued', { ...message, errorName: (error as Error)?.name });
  }
}
