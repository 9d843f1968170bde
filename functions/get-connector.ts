import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { getConnectorView } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.getConnector, async ({ actorId, params }, deps) => getConnectorView(deps, actorId, params.id));
