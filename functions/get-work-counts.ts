import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { workCounts } from '../lib/use-cases/work';

export const handler = adminHandler(requests.workCounts, async ({ actorId, params }, deps) => workCounts(deps, actorId, params.id));
