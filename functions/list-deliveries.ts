import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listDeliveries } from '../lib/use-cases/hr-deliveries';

export const handler = adminHandler(requests.listDeliveries, async ({ actorId, query }, deps) =>
  listDeliveries(deps, actorId, query.status, query.limit, query.cursor),
);
