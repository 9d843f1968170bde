import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listWork } from '../lib/use-cases/work';

export const handler = adminHandler(requests.listActivities, async ({ actorId, query }, deps) => listWork(deps, actorId, 'activity', query));
