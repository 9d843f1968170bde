import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { confirmLoginEmailChange } from '../lib/use-cases/address-moves';

export const handler = publicHandler(requests.confirmLoginEmailChange, async ({ body }, deps) => toUserView(await confirmLoginEmailChange(deps, body.token)));
