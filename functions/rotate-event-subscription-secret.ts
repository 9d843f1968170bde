import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { rotateSubscriptionSecret } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(requests.rotateEventSubscriptionSecret, async ({ actorId, params }, deps) =>
  rotateSubscriptionSecret(deps, actorId, params.id),
);
