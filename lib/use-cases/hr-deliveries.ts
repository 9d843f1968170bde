import { InvalidState, NotFound } from '../domain/errors';
import { listDeliveryEvents, listEventsByStatus, reopenFailedEvents, type DeliveryEvent, type DeliveryStatus } from '../data/deliveries';
import { queueFollowUp } from '../data/outbox';
import type { Page } from '../data/pagination';
import type { Deps } from '../runtime';
import { readAsAdmin } from './steps';
export async function listDeliveries(deps: Deps, actorId: string, status: DeliveryStatus, limit: number, cursor?: string): Promise<Page<DeliveryEvent>> {
  await readAsAdmin(deps, actorId);
  return listEventsByStatus(deps.table, status, limit, cursor);
}

/**
 * Applies a delivery again after the cause was fixed: its failed events go back to `received`,
 * and the delivery is queued if anything is waiting (including events left `received` by a
 * queueing failure or a message that ended in the dead-letter queue).
 */
export async function redriveDelivery(deps: Deps, actorId: string, provider: string, deliveryId: string): Promise<{ redriven: number }> {
  await readAsAdmin(deps, actorId);
  const reopened = await reopenFailedEvents(deps.table, provider, deliveryId);
  const events = await listDeliveryEvents(deps.table, provider, deliveryId);
  if (events.length === 0) throw new NotFound('delivery', `${provider}/${deliveryId}`);
  const waiting = events.filter((e) => e.status === 'received').length;
  if (waiting === 0) throw new InvalidState(`Delivery ${provider}/${deliveryId} has no failed or waiting events`);
  await queueFollowUp(deps.table, { type: 'hrDelivery', provider, deliveryId }, deps.clock());
  return { redriven: Math.max(reopened, waiting) };
}
