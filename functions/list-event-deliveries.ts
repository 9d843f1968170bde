import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listSubscriptionDeliveries } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.listEventDeliveries, async ({ actorId, params, query }, deps) =>
  listSubscriptionDeliveries(deps, actorId, params.id, query.limit, query.cursor),
);
