import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { transferEmail } from '../lib/use-cases/address-moves';

export const handler = adminHandler(requests.transferEmail, async ({ actorId, params, body }, deps) => {
  const { from, to } = await transferEmail(deps, actorId, params.email, body);
  return { from: toUserView(from), to: toUserView(to) };
});
