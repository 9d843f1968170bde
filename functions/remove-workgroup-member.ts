import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { removeWorkgroupMember } from '../lib/use-cases/workgroups';

export const handler = adminHandler(requests.removeWorkgroupMember, async ({ actorId, params }, deps) =>
  toUserView(await removeWorkgroupMember(deps, actorId, params.id, params.userId)),
);
