import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { inviteUser } from '../lib/use-cases/users';

export const handler = adminHandler(requests.inviteUser, async ({ actorId, body }, deps) => toUserView(await inviteUser(deps, actorId, body)));
