import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listConnectors } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.listConnectors, async ({ actorId, query }, deps) => listConnectors(deps, actorId, query.limit, query.cursor));
