import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { userAccess } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.getUserAccess, async ({ actorId, params }, deps) => userAccess(deps, actorId, params.id));
