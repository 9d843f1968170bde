import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { moveToExtranet } from '../lib/use-cases/address-moves';

export const handler = adminHandler(requests.moveToExtranet, async ({ actorId, params, body }, deps) => {
  const { dismissed, extranetUser } = await moveToExtranet(deps, actorId, params.id, body);
  return { dismissed: toUserView(dismissed), extranetUser: toUserView(extranetUser) };
});
