import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listWorkgroups } from '../lib/use-cases/workgroups';

export const handler = adminHandler(requests.listWorkgroups, async ({ actorId, query }, deps) => listWorkgroups(deps, actorId, query.limit, query.cursor));
