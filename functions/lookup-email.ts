import { adminHandler } from '../lib/http/handler';
import { lookupEmail } from '../lib/use-cases/lookups';

export const handler = adminHandler('lookupEmail', async ({ actorId, params }, deps) => lookupEmail(deps, actorId, params.email));
