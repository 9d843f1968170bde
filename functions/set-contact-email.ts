import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { setContactEmail } from '../lib/use-cases/users';

export const handler = adminHandler(requests.setContactEmail, async ({ actorId, params, body }, deps) =>
  toUserView(await setContactEmail(deps, actorId, params.id, body.email)),
);
