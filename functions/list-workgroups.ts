import { adminHandler } from '../lib/http/handler';
import { listWorkgroups } from '../lib/use-cases/workgroups';

export const handler = adminHandler('listWorkgroups', async ({ actorId, query }, deps) => listWorkgroups(deps, actorId, query.limit, query.cursor));
