import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { runtime } from '../lib/runtime';
import { sealingSecretBoxFor } from '../lib/secrets/sealing';
import { rotateSubscriptionSecret } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(
  requests.rotateEventSubscriptionSecret,
  async ({ actorId, params }, deps) => rotateSubscriptionSecret(deps, actorId, params.id),
  () => runtime({ secretBoxFor: sealingSecretBoxFor }),
);
