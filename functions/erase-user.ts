import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { eraseUser } from '../lib/use-cases/users';

export const handler = adminHandler(requests.eraseUser, async ({ actorId, params }, deps) => toUserView(await eraseUser(deps, actorId, params.id)));
