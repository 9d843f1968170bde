import { adminHandler } from '../lib/http/handler';
import { createWork } from '../lib/use-cases/work';

export const handler = adminHandler('createTask', async ({ actorId, body }, deps) => createWork(deps, actorId, 'task', body));
