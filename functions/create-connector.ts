import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { runtime } from '../lib/runtime';
import { sealingSecretBoxFor } from '../lib/secrets/sealing';
import { createConnector } from '../lib/use-cases/connectors';

export const handler = adminHandler(
  requests.createConnector,
  async ({ actorId, body }, deps) => createConnector(deps, actorId, body),
  () => runtime({ secretBoxFor: sealingSecretBoxFor }),
);
