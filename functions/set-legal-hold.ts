import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { setLegalHold } from '../lib/use-cases/users';

export const handler = adminHandler(requests.setLegalHold, async ({ actorId, params, body }, deps) =>
  toUserView(await setLegalHold(deps, actorId, params.id, body.legalHold)),
);
