import { adminHandler } from '../lib/http/handler';
import { runCleanupAsAdmin } from '../lib/use-cases/cleanup';

export const handler = adminHandler('runCleanup', async ({ actorId, body }, deps) => runCleanupAsAdmin(deps, actorId, body));
