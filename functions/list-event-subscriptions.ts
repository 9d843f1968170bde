import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listSubscriptions } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.listEventSubscriptions, async ({ actorId, query }, deps) =>
  listSubscriptions(deps, actorId, query.limit, query.cursor),
);
