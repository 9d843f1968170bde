import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidState } from '../../lib/domain/errors';
import type { User } from '../../lib/domain/user';
import { getJob } from '../../lib/data/jobs';
import { getUser } from '../../lib/data/users';
import { reassignWork } from '../../lib/use-cases/handover';
import { dismissUser } from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, itemsWithPrefix, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { seedOpenWork } from '../support/work';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const outboxItems = async () => new Map((await itemsWithPrefix(deps.table, 'OUTBOX#')).map((item) => [item.pk as string, item.message]));
/** The messages of outbox items written since `before` (a Scan returns items in no useful order). */
const newMessages = async (before: Map<string, unknown>) => [...(await outboxItems())].filter(([pk]) => !before.has(pk)).map(([, message]) => message);

describe('follow-up work is queued in the transaction of the change (outbox)', () => {
  it('a dismissal with a delegate commits the user, the job and its queue message together; nothing runs until the message is relayed', async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 3);
    const before = await outboxItems();
    const { deps: relayDown, held } = holdingJobs(deps);

    const dismissed = await dismissUser(relayDown, admin.id, leaver.id, { delegateId: delegate.id });

    const message = { type: 'handover', jobId: dismissed.handoverJobId };
    expect(held).toEqual([message]);
    expect(await newMessages(before)).toEqual(
      expect.arrayContaining([message, { type: 'events', userId: leaver.id, eventType: 'user.dismissed', sequence: 3 }]),
    );
    expect(await newMessages(before)).toHaveLength(2);
    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'pending' });

    // What the stream would do once the relay is back: the same message reaches the worker.
    await deps.jobs.enqueue(held[0]!);
    await deps.jobs.idle();
    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'completed', moved: { tasks: 2, activities: 1 } });
  });

  it('a refused change queues nothing', async () => {
    const from = await seedActiveUser(deps, admin.id);
    const gone = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, gone.id, {});
    const before = await outboxItems();

    await expect(reassignWork(deps, admin.id, from.id, gone.id)).rejects.toBeInstanceOf(InvalidState);
    await expect(dismissUser(deps, admin.id, from.id, { delegateId: gone.id })).rejects.toBeInstanceOf(InvalidState);

    expect(await newMessages(before)).toEqual([]);
    expect((await getUser(deps.table, from.id))!.status).toBe('active');
  });
});
