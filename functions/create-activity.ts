import { adminHandler } from '../lib/http/handler';
import { createWork } from '../lib/use-cases/work';

export const handler = adminHandler('createActivity', async ({ actorId, body }, deps) => createWork(deps, actorId, 'activity', body));
