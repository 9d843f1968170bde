import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { requestLoginEmailChange } from '../lib/use-cases/address-moves';

export const handler = adminHandler(requests.requestLoginEmailChange, async ({ actorId, params, body }, deps) =>
  requestLoginEmailChange(deps, actorId, params.id, body.email),
);
