import type { Deps } from '../runtime';
import { applyHrDelivery } from '../use-cases/hr-webhooks';
import { runHandoverJob } from '../use-cases/handover';
import type { JobMessage } from './queue';

/** The one dispatcher both queue adapters feed: the same code runs from SQS and in-process. */
export async function runJob(deps: Deps, message: JobMessage): Promise<void> {
  switch (message.type) {
    case 'handover':
      await runHandoverJob(deps, message.jobId);
      return;
    case 'hrDelivery':
      await applyHrDelivery(deps, message.provider, message.deliveryId);
      return;
  }
}
