import * as requests from '../lib/http/requests';
import { adminHandler } from '../lib/http/handler';
import { toUserView } from '../lib/domain/user';
import { addWorkgroupMember } from '../lib/use-cases/workgroups';

export const handler = adminHandler(requests.addWorkgroupMember, async ({ actorId, params }, deps) =>
  toUserView(await addWorkgroupMember(deps, actorId, params.id, params.userId)),
);
