import { publicHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { confirmLoginEmailChange } from '../lib/use-cases/address-moves';

export const handler = publicHandler('confirmLoginEmailChange', async ({ body }, deps) => toUserView(await confirmLoginEmailChange(deps, body.token)));
