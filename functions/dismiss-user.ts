import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { dismissUser } from '../lib/use-cases/users';

export const handler = adminHandler(requests.dismissUser, async ({ actorId, params, body }, deps) =>
  toUserView(await dismissUser(deps, actorId, params.id, body)),
);
