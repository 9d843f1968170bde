import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { listUsers } from '../lib/use-cases/users';

export const handler = adminHandler(requests.listUsers, async ({ actorId, query }, deps) => {
  const page = await listUsers(deps, actorId, query);
  return { items: page.items.map(toUserView), nextCursor: page.nextCursor };
});
