import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { createWorkgroup } from '../lib/use-cases/workgroups';

export const handler = adminHandler(requests.createWorkgroup, async ({ actorId, body }, deps) => createWorkgroup(deps, actorId, body));
