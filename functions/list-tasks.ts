import { adminHandler } from '../lib/http/handler';
import { listWork } from '../lib/use-cases/work';

export const handler = adminHandler('listTasks', async ({ actorId, query }, deps) => listWork(deps, actorId, 'task', query));
