import { readFileSync } from 'node:fs';
import { runMessage } from '../../lib/jobs/run-message';
import { beforeAll, describe, expect, it } from 'vitest';
import { countRequests, type RequestLog } from '../../lib/data/client';
import type { User } from '../../lib/domain/user';
import { auditTrail, lookupEmail } from '../../lib/use-cases/lookups';
import { confirmLoginEmailChange, moveToExtranet, requestLoginEmailChange, transferEmail } from '../../lib/use-cases/address-moves';
import { reassignWork } from '../../lib/use-cases/handover';
import { receiveHrWebhook } from '../../lib/use-cases/hr-webhooks';
import { providers, standardDelivery } from '../support/webhooks';
import { closeWork, createWork, workCounts } from '../../lib/use-cases/work';
import { addWorkgroupMember, createWorkgroup, listWorkgroups, removeWorkgroupMember } from '../../lib/use-cases/workgroups';
import {
  acceptInvitation,
  dismissUser,
  eraseUser,
  getUserById,
  inviteUser,
  listUsers,
  rehireUser,
  setAdmin,
  setContactEmail,
  setLegalHold,
} from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { startReceiver } from '../support/receiver';
import { startScimServer } from '../support/scim-server';
import type { OutboxMessage } from '../../lib/jobs/queue';
import { createSubscription } from '../../lib/use-cases/subscriptions';
import { createConnector } from '../../lib/use-cases/connectors';

/**
 * DynamoDB requests per operation, as documented in docs/round-trips.md (whose table the last test
 * reads, so the page cannot drift from what is measured). Every mutation is
 * exactly one write request (the transaction) plus at most one read (actor and targets together),
 * except a transfer, which must first read the address's claim to learn who holds it.
 */
const FOUND_THROUGH_AN_ADDRESS = new Set(['transfer an address']);
/** What the events and connectors workers do after a commit: not requests, so not held to the one-write rule. */
const WORKER_STEPS = new Set([
  'fan out an event (events worker, 1 subscriber, 1 connector)',
  'deliver an event to a subscriber (events worker)',
  'apply a dismissal to a SCIM system (connectors worker)',
]);
const expected: Record<string, { reads: number; writes: number }> = {
  'invite user': { reads: 1, writes: 1 },
  'invite with a taken address (refused, naming the holder)': { reads: 2, writes: 0 },
  'mail the invitation link (mail worker)': { reads: 1, writes: 1 },
  'accept invitation': { reads: 1, writes: 1 },
  'dismiss user (with delegate)': { reads: 1, writes: 1 },
  'rehire user': { reads: 1, writes: 1 },
  'change contact email': { reads: 1, writes: 1 },
  'grant admin': { reads: 1, writes: 1 },
  'request login email change': { reads: 1, writes: 1 },
  'confirm login email change': { reads: 1, writes: 1 },
  'transfer an address': { reads: 2, writes: 1 },
  'move to extranet': { reads: 1, writes: 1 },
  'create workgroup': { reads: 1, writes: 1 },
  'add workgroup member': { reads: 1, writes: 1 },
  'remove workgroup member': { reads: 1, writes: 1 },
  'list workgroups': { reads: 2, writes: 0 },
  'create task': { reads: 1, writes: 1 },
  'close task': { reads: 1, writes: 1 },
  'reassign work (queues a job)': { reads: 1, writes: 1 },
  'work counts': { reads: 3, writes: 0 },
  'set legal hold': { reads: 1, writes: 1 },
  'erase a dismissed account': { reads: 1, writes: 1 },
  'receive an HR webhook (applied later)': { reads: 0, writes: 1 },
  'get user': { reads: 1, writes: 0 },
  'list users': { reads: 2, writes: 0 },
  'find users by name or address (a page)': { reads: 3, writes: 0 },
  'look up a free address': { reads: 1, writes: 0 },
  'look up a used address': { reads: 2, writes: 0 },
  'audit trail': { reads: 2, writes: 0 },
  'fan out an event (events worker, 1 subscriber, 1 connector)': { reads: 2, writes: 1 },
  'deliver an event to a subscriber (events worker)': { reads: 2, writes: 3 },
  'apply a dismissal to a SCIM system (connectors worker)': { reads: 1, writes: 3 },
};

let deps: TestDeps;
let log: RequestLog;
let admin: User;
const measured: Record<string, { reads: number; writes: number }> = {};

async function measure(name: string, operation: () => Promise<unknown>) {
  // What earlier steps queued (a lifecycle event's fan-out, ...) is not this operation's.
  await deps.jobs.idle();
  log.reset();
  await operation();
  measured[name] = { reads: log.reads, writes: log.writes };
  // Jobs an operation queued run afterwards, in the background: they are not its round trips.
  await deps.jobs.idle();
}

beforeAll(async () => {
  deps = await createTestDeps();
  log = countRequests(deps.table.client);
  admin = await seedAdmin(deps);
  const user = await seedActiveUser(deps, admin.id, { contactEmail: 'rt-contact@home.example' });
  const delegate = await seedActiveUser(deps, admin.id);

  const { deps: relayDown, held } = holdingJobs(deps);
  await measure('invite user', () => inviteUser(relayDown, admin.id, makeInvite({ loginEmail: 'rt-new@corp.example' })));
  await measure('invite with a taken address (refused, naming the holder)', () =>
    inviteUser(relayDown, admin.id, makeInvite({ loginEmail: admin.loginEmail })).catch((e: unknown) => e),
  );
  await measure('mail the invitation link (mail worker)', () => runMessage(deps, held[0]!));
  const token = (await deps.sentMail()).findLast((mail) => mail.to === 'rt-new@corp.example')!.token;
  await measure('accept invitation', () => acceptInvitation(deps, token));
  await measure('dismiss user (with delegate)', () => dismissUser(deps, admin.id, user.id, { delegateId: delegate.id }));
  await measure('rehire user', () => rehireUser(deps, admin.id, user.id));
  await measure('change contact email', () => setContactEmail(deps, admin.id, user.id, 'rt-other@home.example'));
  await measure('grant admin', () => setAdmin(deps, admin.id, delegate.id, true));
  await measure('request login email change', () => requestLoginEmailChange(deps, admin.id, user.id, 'rt-login@corp.example'));
  const confirmation = (await deps.sentMail()).findLast((mail) => mail.to === 'rt-login@corp.example')!.token;
  await measure('confirm login email change', () => confirmLoginEmailChange(deps, confirmation));
  const leaver = await seedActiveUser(deps, admin.id, { contactEmail: 'rt-leaver@home.example' });
  await dismissUser(deps, admin.id, leaver.id, {});
  await measure('transfer an address', () => transferEmail(deps, admin.id, 'rt-leaver@home.example', { toUserId: delegate.id, as: 'contact' }));
  let workgroupId = '';
  await measure('create workgroup', async () => (workgroupId = (await createWorkgroup(deps, admin.id, { name: 'rt', extranet: true })).id));
  const mover = await seedActiveUser(deps, admin.id);
  await measure('move to extranet', () => moveToExtranet(deps, admin.id, mover.id, { workgroupIds: [workgroupId] }));
  await measure('add workgroup member', () => addWorkgroupMember(deps, admin.id, workgroupId, delegate.id));
  await measure('remove workgroup member', () => removeWorkgroupMember(deps, admin.id, workgroupId, delegate.id));
  await measure('list workgroups', () => listWorkgroups(deps, admin.id, 50));
  let taskId = '';
  await measure('create task', async () => (taskId = (await createWork(deps, admin.id, 'task', { title: 'rt', responsibleId: delegate.id })).id));
  await measure('close task', () => closeWork(deps, admin.id, 'task', taskId));
  await measure('reassign work (queues a job)', () => reassignWork(deps, admin.id, delegate.id, admin.id));
  await measure('work counts', () => workCounts(deps, admin.id, delegate.id));
  await measure('set legal hold', () => setLegalHold(deps, admin.id, delegate.id, true));
  const erased = await seedActiveUser(deps, admin.id);
  await dismissUser(deps, admin.id, erased.id, {});
  await measure('erase a dismissed account', () => eraseUser(deps, admin.id, erased.id));
  const delivery = standardDelivery({ type: 'employee.rehired', data: { externalId: 'RT-HR' } });
  await measure('receive an HR webhook (applied later)', () =>
    receiveHrWebhook(holdingJobs(deps).deps, providers, 'standard', delivery.body, delivery.headers),
  );
  await measure('get user', () => getUserById(deps, admin.id, user.id));
  await measure('list users', () => listUsers(deps, admin.id, { limit: 50 }));
  await measure('find users by name or address (a page)', async () => {
    const page = await listUsers(deps, admin.id, { q: 'rt-', limit: 50 });
    expect(page.items.length).toBeGreaterThan(1);
  });
  await measure('look up a free address', () => lookupEmail(deps, admin.id, 'nobody@corp.example'));
  await measure('look up a used address', () => lookupEmail(deps, admin.id, admin.loginEmail));
  await measure('audit trail', () => auditTrail(deps, admin.id, user.id, 20));

  // The workers' steps for one event, each run by hand from what the previous one queued.
  const receiver = await startReceiver();
  const scim = await startScimServer();
  try {
    await createConnector(deps, admin.id, { kind: 'scim', name: 'rt', baseUrl: scim.baseUrl, token: scim.token });
    await createSubscription(deps, admin.id, { url: receiver.url });
    // Subscribed before the leaver joined: the pair has delivered the invitation and activation, as a pair usually has.
    const leaver = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const queued: OutboxMessage[] = [];
    const collecting = { ...deps, table: { ...deps.table, relay: (messages: OutboxMessage[]) => void queued.push(...messages) } };
    await dismissUser(collecting, admin.id, leaver.id, {});
    const next = (type: OutboxMessage['type']) =>
      queued.splice(
        queued.findIndex((m) => m.type === type),
        1,
      )[0]!;
    await measure('fan out an event (events worker, 1 subscriber, 1 connector)', () => runMessage(collecting, next('events')));
    await measure('deliver an event to a subscriber (events worker)', () => runMessage(collecting, next('deliver')));
    await measure('apply a dismissal to a SCIM system (connectors worker)', () => runMessage(collecting, next('provision')));
    expect(receiver.received.filter((r) => r.body.data.userId === leaver.id).map((r) => r.body.type)).toEqual([
      'user.invited',
      'user.activated',
      'user.dismissed',
    ]);
    expect([...scim.users.values()].find((u) => u.externalId === leaver.id)?.active).toBe(false);
  } finally {
    await receiver.close();
    await scim.close();
  }
});

describe('DynamoDB round trips per operation', () => {
  it('every mutation is one write request plus at most one read (two when found through an address)', () => {
    for (const [name, counts] of Object.entries(measured).filter(([name, c]) => c.writes > 0 && !WORKER_STEPS.has(name))) {
      const maxReads = FOUND_THROUGH_AN_ADDRESS.has(name) ? 2 : 1;
      expect({ name, writes: counts.writes, withinReads: counts.reads <= maxReads }).toEqual({ name, writes: 1, withinReads: true });
    }
  });

  it('measures what is expected', () => {
    expect(measured).toEqual(expected);
  });

  it('is what docs/round-trips.md says, row for row', () => {
    const page = readFileSync(new URL('../../docs/round-trips.md', import.meta.url), 'utf8');
    const documented: Record<string, { reads: number; writes: number }> = {};
    for (const [, name, reads, writes] of page.matchAll(/^\| ([^|]+?) +\| (\d+) +\| (\d+) +\|$/gm)) {
      documented[name!] = { reads: Number(reads), writes: Number(writes) };
    }
    expect(documented).toEqual(expected);
  });
});
