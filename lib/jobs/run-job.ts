import { queueFollowUp } from '../data/outbox';
import type { Deps } from '../runtime';
import { applyHrDelivery } from '../use-cases/apply-hr-delivery';
import { runHandoverJob } from '../use-cases/handover';
import type { JobMessage } from './queue';

/** The one dispatcher both queue adapters feed: the same code runs from SQS and in-process. */
export async function runJob(deps: Deps, message: JobMessage, options: { shouldYield?: () => boolean } = {}): Promise<void> {
  switch (message.type) {
    case 'handover': {
      const job = await runHandoverJob(deps, message.jobId, options);
      // Stopped between chunks to stay inside the time limit: continue in a fresh invocation.
      if (job.status === 'pending' || job.status === 'running') await queueFollowUp(deps.table, message, deps.clock());
      return;
    }
    case 'hrDelivery':
      await applyHrDelivery(deps, message.provider, message.deliveryId);
      return;
  }
}
