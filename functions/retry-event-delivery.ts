import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { retrySubscriptionDelivery } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.retryEventDelivery, async ({ actorId, params }, deps) =>
  retrySubscriptionDelivery(deps, actorId, params.id, params.eventId),
);
