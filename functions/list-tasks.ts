import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { listWork } from '../lib/use-cases/work';

export const handler = adminHandler(requests.listTasks, async ({ actorId, query }, deps) => listWork(deps, actorId, 'task', query));
