import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { deleteSubscription } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.deleteEventSubscription, async ({ actorId, params }, deps) => deleteSubscription(deps, actorId, params.id));
