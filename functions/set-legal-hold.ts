import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { setLegalHold } from '../lib/use-cases/users';

export const handler = adminHandler('setLegalHold', async ({ actorId, params, body }, deps) => toUserView(await setLegalHold(deps, actorId, params.id, body.legalHold)));
