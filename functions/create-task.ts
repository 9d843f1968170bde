import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { createWork } from '../lib/use-cases/work';

export const handler = adminHandler(requests.createTask, async ({ actorId, body }, deps) => createWork(deps, actorId, 'task', body));
