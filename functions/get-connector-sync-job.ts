import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { getConnectorSyncJob } from '../lib/use-cases/connectors';

export const handler = adminHandler(requests.getConnectorSyncJob, async ({ actorId, params }, deps) =>
  getConnectorSyncJob(deps, actorId, params.id, params.jobId),
);
