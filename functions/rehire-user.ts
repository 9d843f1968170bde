import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { rehireUser } from '../lib/use-cases/users';

export const handler = adminHandler(requests.rehireUser, async ({ actorId, params }, deps) => toUserView(await rehireUser(deps, actorId, params.id)));
