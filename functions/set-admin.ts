import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { setAdmin } from '../lib/use-cases/users';

export const handler = adminHandler(requests.setAdmin, async ({ actorId, params, body }, deps) =>
  toUserView(await setAdmin(deps, actorId, params.id, body.isAdmin)),
);
