import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { getSubscriptionView } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.getEventSubscription, async ({ actorId, params }, deps) => getSubscriptionView(deps, actorId, params.id));
