import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toJobView } from '../lib/domain/work';
import { reassignWork } from '../lib/use-cases/handover';

export const handler = adminHandler(requests.reassignWork, async ({ actorId, params, body }, deps) =>
  toJobView(await reassignWork(deps, actorId, params.id, body.toUserId)),
);
