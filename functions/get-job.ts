import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toJobView } from '../lib/domain/work';
import { getJobForAdmin } from '../lib/use-cases/handover';

export const handler = adminHandler(requests.getJob, async ({ actorId, params }, deps) => toJobView(await getJobForAdmin(deps, actorId, params.id)));
