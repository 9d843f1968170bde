import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { startConnectorSync } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.syncConnector, async ({ actorId, params }, deps) => startConnectorSync(deps, actorId, params.id));
