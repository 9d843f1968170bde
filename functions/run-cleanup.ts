import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { runCleanupAsAdmin } from '../lib/use-cases/cleanup';

// Stop with a partial report (complete: false) well before the function's time limit.
export const handler = adminHandler(requests.runCleanup, async ({ actorId, body }, deps, context) =>
  runCleanupAsAdmin(deps, actorId, body, () => context.getRemainingTimeInMillis() < 3_000),
);
