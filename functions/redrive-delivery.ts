import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { redriveDelivery } from '../lib/use-cases/hr-deliveries';

export const handler = adminHandler(requests.redriveDelivery, async ({ actorId, params }, deps) =>
  redriveDelivery(deps, actorId, params.provider, params.deliveryId),
);
