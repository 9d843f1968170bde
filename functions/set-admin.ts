import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { setAdmin } from '../lib/use-cases/users';

export const handler = adminHandler('setAdmin', async ({ actorId, params, body }, deps) => toUserView(await setAdmin(deps, actorId, params.id, body.isAdmin)));
