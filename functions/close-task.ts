import { adminHandler } from '../lib/http/handler';
import { closeWork } from '../lib/use-cases/work';

export const handler = adminHandler('closeTask', async ({ actorId, params }, deps) => closeWork(deps, actorId, 'task', params.id));
