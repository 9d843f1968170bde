import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { createSubscription } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.createEventSubscription, async ({ actorId, body }, deps) => createSubscription(deps, actorId, body));
