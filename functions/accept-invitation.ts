import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { acceptInvitation } from '../lib/use-cases/users';

export const handler = publicHandler(requests.acceptInvitation, async ({ body }, deps) => toUserView(await acceptInvitation(deps, body.token)));
