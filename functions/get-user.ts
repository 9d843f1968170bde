import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { getUserById } from '../lib/use-cases/users';

export const handler = adminHandler(requests.getUser, async ({ actorId, params }, deps) => toUserView(await getUserById(deps, actorId, params.id)));
