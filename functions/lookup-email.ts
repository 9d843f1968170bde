import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { lookupEmail } from '../lib/use-cases/lookups';

export const handler = adminHandler(requests.lookupEmail, async ({ actorId, params }, deps) => lookupEmail(deps, actorId, params.email));
