import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { deleteConnector } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.deleteConnector, async ({ actorId, params }, deps) => deleteConnector(deps, actorId, params.id));
