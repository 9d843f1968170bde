import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { closeWork } from '../lib/use-cases/work';

export const handler = adminHandler(requests.closeTask, async ({ actorId, params }, deps) => closeWork(deps, actorId, 'task', params.id));
