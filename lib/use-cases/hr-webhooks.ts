import { InvalidRequest, NotFound } from '../domain/errors';
import { DuplicateDelivery, finishRecording, listDeliveryEvents, MAX_DELIVERY_AGE_DAYS, recordDelivery, toDeliveryEvents } from '../data/deliveries';
import { queueFollowUp } from '../data/outbox';
import type { JobMessage } from '../domain/follow-up';
import { logger } from '../logger';
import type { Deps } from '../runtime';
import type { HrProvider, VerifiedDelivery } from '../webhooks/events';
import { deliveryIdProblem } from '../webhooks/identifiers';
import { signatureRejected } from '../webhooks/signatures';

export type Receipt = { deliveryId: string; events: number; duplicate: boolean };

/**
 * Receives an HR webhook (no bearer; the signature is the credential) for one of `adapters`, the
 * providers the calling function serves (each function bundles only its own providers' code):
 * 1. verify the signature over the raw body with the provider's secret, before parsing anything
 *    (401 with no detail on failure; an unknown or unconfigured provider is 404);
 * 2. refuse, before anything is read or written, a delivery whose signed time is outside the
 *    replay window (401 like a bad signature) or whose id no key can hold (400);
 * 3. durably record the delivery and its events in one transaction; a replay of the same delivery
 *    id is acknowledged and not recorded again;
 *    queueing it for the worker in the same write (outbox), and acknowledge (202). Applying
 *    happens asynchronously.
 */
export async function receiveHrWebhook(
  deps: Deps,
  adapters: Readonly<Record<string, HrProvider>>,
  provider: string,
  rawBody: string,
  headers: Record<string, string | undefined>,
): Promise<Receipt> {
  const adapter = Object.hasOwn(adapters, provider) ? adapters[provider] : undefined;
  const secret = adapter ? await deps.webhookSecrets.get(provider) : undefined;
  if (!adapter || !secret) throw new NotFound('webhook provider', provider);
  const now = deps.clock();
  const delivery = adapter.receive({ rawBody, headers, secret, now });
  assertReceivable(delivery, now);
  // An event cannot have happened after we received it: a clock far ahead must not make every
  // later event for that employee look stale.
  const entries = delivery.entries.map((entry) =>
    'event' in entry && entry.event.occurredAt > now.toISOString() ? { ...entry, event: { ...entry.event, occurredAt: now.toISOString() } } : entry,
  );
  const followUp: JobMessage = { type: 'hrDelivery', provider, deliveryId: delivery.deliveryId };
  try {
    const events = await recordDelivery(deps.table, provider, delivery.deliveryId, entries, now, followUp);
    logger.info('hr delivery recorded', { provider, deliveryId: delivery.deliveryId, events: events.length });
    return { deliveryId: delivery.deliveryId, events: events.length, duplicate: false };
  } catch (error) {
    if (!(error instanceof DuplicateDelivery)) throw error;
    // A replay is not recorded again, but it finishes a recording cut off half-way and queues
    // anything still waiting (say the first queueing failed): retries are how HR systems heal.
    if (error.message === 'incomplete') {
      await finishRecording(deps.table, provider, delivery.deliveryId, toDeliveryEvents(provider, delivery.deliveryId, entries, now.toISOString()));
    }
    const waiting = (await listDeliveryEvents(deps.table, provider, delivery.deliveryId)).some((e) => e.status === 'received');
    if (waiting) await queueFollowUp(deps.table, followUp, now);
    logger.info('hr delivery replay acknowledged', { provider, deliveryId: delivery.deliveryId, requeued: waiting });
    return { deliveryId: delivery.deliveryId, events: 0, duplicate: true };
  }
}

/**
 * Holds for every provider, whatever its signature covers. A replay is recognised by its delivery
 * record, which expires after DELIVERY_RETENTION_DAYS; a delivery signed longer ago than
 * MAX_DELIVERY_AGE_DAYS (or as far ahead) is refused, so no replay comes after its record is gone.
 * For a provider that signs a timestamp (5-minute tolerance) this never bites; for one that does
 * not (Gusto), it is what keeps a captured termination from dismissing a rehired employee months
 * later. A delivery that carries an event but no signed time is refused the same way.
 */
function assertReceivable(delivery: VerifiedDelivery, now: Date): void {
  if (delivery.signedAt === null) {
    if (delivery.entries.some((entry) => 'event' in entry)) throw signatureRejected();
  } else {
    const age = Math.abs(now.getTime() - Date.parse(delivery.signedAt));
    // Written so that an unreadable time (NaN) is refused too.
    if (!(age <= MAX_DELIVERY_AGE_DAYS * 86_400_000)) throw signatureRejected();
  }
  // Adapters bound their ids (lib/webhooks/identifiers.ts); this is the backstop before the key is built.
  const idProblem = deliveryIdProblem(delivery.deliveryId);
  if (idProblem) throw new InvalidRequest([{ path: 'deliveryId', message: idProblem }]);
}
