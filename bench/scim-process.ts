/**
 * The benchmark's SCIM service provider (test/support/scim-server.ts: SCIMMY) in a process of its
 * own, as a remote system is: its work is not the directory's. Tells the parent its address, then
 * every change of an account's `active`, timed on the shared clock (performance.timeOrigin + now).
 */
import { startScimServer, type StoredUser } from '../test/support/scim-server';

const scim = await startScimServer();
const set = scim.users.set.bind(scim.users);
scim.users.set = (id: string, user: StoredUser) => {
  const before = scim.users.get(id);
  if (before?.active !== user.active)
    process.send?.({ externalId: String(user.externalId), active: user.active === true, at: performance.timeOrigin + performance.now() });
  return set(id, user);
};
process.send?.({ baseUrl: scim.baseUrl, token: scim.token });
process.on('disconnect', () => void scim.close().then(() => process.exit(0)));
