import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { createWork } from '../lib/use-cases/work';

export const handler = adminHandler(requests.createActivity, async ({ actorId, body }, deps) => createWork(deps, actorId, 'activity', body));
