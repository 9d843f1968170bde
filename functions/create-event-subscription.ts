import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { runtime } from '../lib/runtime';
import { sealingSecretBoxFor } from '../lib/secrets/sealing';
import { createSubscription } from '../lib/use-cases/subscriptions';

export const handler = adminHandler(
  requests.createEventSubscription,
  async ({ actorId, body }, deps) => createSubscription(deps, actorId, body),
  () => runtime({ secretBoxFor: sealingSecretBoxFor }),
);
