import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { auditTrail } from '../lib/use-cases/lookups';

export const handler = adminHandler(requests.listAudit, async ({ actorId, params, query }, deps) =>
  auditTrail(deps, actorId, params.id, query.limit, query.cursor),
);
