import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { listUserEvents } from '../../lib/data/events';
import { getUser } from '../../lib/data/users';
import { dismissUser, eraseUser, rehireUser, setContactEmail } from '../../lib/use-cases/users';
import { transferEmail } from '../../lib/use-cases/address-moves';
import { createTestDeps, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { expectClaimsConsistent } from '../support/invariants';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const events = async (userId: string) => (await listUserEvents(deps.table, userId, 100)).items;

describe('rule 13: every committed change to a user writes its event in the same transaction', () => {
  it('a life in the directory is a gapless sequence of events, each with the user as read after it', async () => {
    const user = await seedActiveUser(deps, admin.id, { contactEmail: null });
    await setContactEmail(deps, admin.id, user.id, 'life@home.example');
    await dismissUser(deps, admin.id, user.id, {});
    await rehireUser(deps, admin.id, user.id);
    await dismissUser(deps, admin.id, user.id, {});
    await eraseUser(deps, admin.id, user.id);

    const all = await events(user.id);
    expect(all.map((e) => [e.data.sequence, e.type])).toEqual([
      [1, 'user.invited'],
      [2, 'user.activated'],
      [3, 'user.contact_email_changed'],
      [4, 'user.dismissed'],
      [5, 'user.rehired'],
      [6, 'user.dismissed'],
      [7, 'user.erased'],
    ]);
    const stored = (await getUser(deps.table, user.id))!;
    expect(all.at(-1)!.data.sequence).toBe(stored.version);
    expect(all[3]!.data).toMatchObject({ actorId: admin.id, source: 'admin', user: { id: user.id, status: 'dismissed' } });
    expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
  });

  it('a refused change writes no event', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const before = await events(user.id);
    await expect(rehireUser(deps, admin.id, user.id)).rejects.toThrow();
    await expect(eraseUser(deps, admin.id, user.id)).rejects.toThrow();
    expect(await events(user.id)).toEqual(before);
  });

  it('a change of two users writes an event for each', async () => {
    const leaver = await seedActiveUser(deps, admin.id, { contactEmail: 'handed@home.example' });
    const recipient = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, leaver.id, {});
    await transferEmail(deps, admin.id, 'handed@home.example', { toUserId: recipient.id, as: 'contact' });
    expect((await events(leaver.id)).at(-1)).toMatchObject({
      type: 'email.transferred',
      data: { changes: [{ field: 'contactEmail', before: 'handed@home.example', after: null }] },
    });
    expect((await events(recipient.id)).at(-1)).toMatchObject({ type: 'email.transferred', data: { user: { contactEmail: 'handed@home.example' } } });
  });

  it('concurrent changes of one user still number their events 1, 2, 3, ... without a gap or a twin', async () => {
    const user = await seedActiveUser(deps, admin.id);
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => setContactEmail(deps, admin.id, user.id, `race-${i}@home.example`)));
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    const sequences = (await events(user.id)).map((e) => e.data.sequence);
    const version = (await getUser(deps.table, user.id))!.version;
    expect(sequences).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    await expectClaimsConsistent(deps.table);
  });
});
