import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LookupAddress } from 'node:dns';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { User } from '../../lib/domain/user';
import { deliverRun, runDueDeliveries } from '../../lib/use-cases/event-delivery';
import {
  createSubscription,
  deleteSubscription,
  getSubscriptionView,
  listSubscriptionDeliveries,
  retrySubscriptionDelivery,
  rotateSubscriptionSecret,
} from '../../lib/use-cases/subscriptions';
import { dismissUser, setContactEmail } from '../../lib/use-cases/users';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { subscriptionSecretPurpose } from '../../lib/domain/subscriptions';
import { releaseRun, renewRun, takeRun } from '../../lib/data/subscription-runs';
import { duePairs } from '../../lib/data/delivery-pairs';
import { countRequests } from '../../lib/data/client';
import type { OutboxMessage } from '../../lib/jobs/queue';
import { runMessages } from '../../lib/jobs/run-message';
import { createTestDeps, holdingJobs, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { startReceiver, type Receiver } from '../support/receiver';

/*
 * Rule 13, delivery: real DynamoDB Local, real HTTP receivers on loopback that verify the
 * Standard Webhooks signatures with the library, the in-process queue standing in for SQS, and the
 * injected clock instead of waiting for retries.
 */

let deps: TestDeps;
let admin: User;
const receivers: Receiver[] = [];
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => deps.setNow(new Date(T0 + ms));
const HOUR = 3_600_000;

beforeEach(async () => {
  deps = await createTestDeps();
  at(0);
  admin = await seedAdmin(deps);
  // Subscriptions get what is committed after they are: the admin's own event is older.
  at(1);
});
afterEach(async () => {
  await deps.jobs.idle();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver() {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

const sequences = (r: Receiver, userId: string) => r.received.filter((x) => x.body.data.userId === userId).map((x) => x.body.data.sequence);

/** Arrival order never runs ahead: each event comes after every earlier one of its user (a repeat is fine). */
function expectInOrder(seen: number[], through: number) {
  let highest = 0;
  for (const sequence of seen) {
    expect(sequence).toBeLessThanOrEqual(highest + 1);
    highest = Math.max(highest, sequence);
  }
  expect(highest).toBe(through);
}

/** Runs what is due at the clock's time, and what that queues. */
async function runDue() {
  await deps.jobs.idle();
  await runDueDeliveries(deps);
  await deps.jobs.idle();
}

describe('event delivery to webhook subscribers', () => {
  it('delivers every event signed, in per-user order, under concurrent changes of one user', async () => {
    const r = await receiver();
    const { id, secret } = await createSubscription(deps, admin.id, { url: r.url });
    const user = await seedActiveUser(deps, admin.id);
    await Promise.allSettled(Array.from({ length: 4 }, (_, i) => setContactEmail(deps, admin.id, user.id, `c${i}@home.example`)));
    await setContactEmail(deps, admin.id, user.id, null);
    await deps.jobs.idle();
    const seen = sequences(r, user.id);
    const through = Math.max(...seen);
    expect(through).toBeGreaterThanOrEqual(3);
    expectInOrder(seen, through);
    expect(new Set(seen).size).toBe(through);
    for (const request of r.received) {
      expect(r.verifies(request, secret)).toBe(true);
      expect(request.headers['webhook-id']).toMatch(/^[0-9A-Z]{26}$/);
      expect(Object.keys(request.body).sort()).toEqual(['data', 'timestamp', 'type']);
    }
    expect(r.received.find((x) => x.body.data.userId === user.id && x.body.data.sequence === 1)!.body.type).toBe('user.invited');
    const log = await listSubscriptionDeliveries(deps, admin.id, id, 100);
    expect(log.items.every((d) => d.status === 'delivered' && d.attempts === 1 && d.lastStatusCode === 200)).toBe(true);
  });

  it('a subscriber down for a while gets everything once back, in order; retries back off, then it is healthy again', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    r.answer(503);
    const user = await seedActiveUser(deps, admin.id);
    await setContactEmail(deps, admin.id, user.id, 'down@home.example');
    await deps.jobs.idle();
    const retrying = (await listSubscriptionDeliveries(deps, admin.id, id, 10)).items;
    expect(retrying).toMatchObject([{ status: 'retrying', attempts: 1, lastStatusCode: 503, sequence: 1 }]);
    const next = Date.parse(retrying[0]!.nextAttemptAt!) - T0;
    expect(next).toBeGreaterThanOrEqual(30_000);
    expect(next).toBeLessThanOrEqual(60_000);
    expect((await getSubscriptionView(deps, admin.id, id)).failingSince).not.toBeNull();
    at(2 * 60_000);
    await runDue();
    expect((await listSubscriptionDeliveries(deps, admin.id, id, 10)).items[0]).toMatchObject({ attempts: 2, status: 'retrying' });
    r.answer(200);
    at(3 * HOUR);
    await runDue();
    expect(sequences(r, user.id)).toEqual([1, 2, 3]);
    expect((await getSubscriptionView(deps, admin.id, id)).failingSince).toBeNull();
  });

  it('a hanging subscriber delays only itself', async () => {
    deps.events = { ...deps.events, timeoutMs: 1_500 };
    const slow = await receiver();
    const fast = await receiver();
    slow.answer('hang');
    const user = await seedActiveUser(deps, admin.id);
    at(1_000);
    await createSubscription(deps, admin.id, { url: slow.url });
    await createSubscription(deps, admin.id, { url: fast.url });
    const started = performance.now();
    for (const i of [1, 2, 3]) await setContactEmail(deps, admin.id, user.id, `fast${i}@home.example`);
    while (sequences(fast, user.id).length < 3 && performance.now() - started < 1_400) await new Promise((resolve) => setTimeout(resolve, 20));
    // The fast one has all three while the slow one still holds its first attempt open.
    expect(sequences(fast, user.id)).toEqual([3, 4, 5]);
    expect(performance.now() - started).toBeLessThan(1_400);
    await deps.jobs.idle();
    expect(slow.received).toEqual([]);
  });

  it('sends only the event types a subscription asks for', async () => {
    const r = await receiver();
    await createSubscription(deps, admin.id, { url: r.url, eventTypes: ['user.dismissed'] });
    const user = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    expect(r.received.map((x) => [x.body.type, x.body.data.sequence])).toEqual([['user.dismissed', 3]]);
  });

  it('signs with both secrets for 24 hours after a rotation, then with the new one only', async () => {
    const r = await receiver();
    const { id, secret: first } = await createSubscription(deps, admin.id, { url: r.url });
    const { secret: second } = await rotateSubscriptionSecret(deps, admin.id, id);
    expect(second).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const during = r.received.at(-1)!;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect([r.verifies(during, first), r.verifies(during, second)]).toEqual([true, true]);
    at(25 * HOUR);
    await setContactEmail(deps, admin.id, user.id, 'after@home.example');
    await deps.jobs.idle();
    const after = r.received.at(-1)!;
    expect([r.verifies(after, first), r.verifies(after, second)]).toEqual([false, true]);
    expect(JSON.stringify(await getSubscriptionView(deps, admin.id, id))).not.toContain('whsec_');
  });

  it("an event committed while another worker holds the subscription's run is handed to that run, which takes it on before it lets go", async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const before = sequences(r, user.id);
    const holder = { owner: 'holder', until: new Date(T0 + 60_000).toISOString() };
    expect(await takeRun(deps.table, id, holder, [], new Date(T0 + 1))).toEqual({ wanted: [] });
    await setContactEmail(deps, admin.id, user.id, 'during@home.example');
    await deps.jobs.idle();
    // The run queued for it found the subscription held: it sent nothing and asked the holder.
    expect(sequences(r, user.id)).toEqual(before);
    expect(await releaseRun(deps.table, id, holder, [])).toEqual({ wanted: [`${user.id}#3`] });
    expect(await releaseRun(deps.table, id, holder, [`${user.id}#3`])).toBe('released');
  });

  it('what a run held when it died is delivered, in order, once its lease has run out', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const { deps: relayDown } = holdingJobs(deps);
    await setContactEmail(relayDown, admin.id, user.id, 'lost@home.example');
    // A run took the pair (its message is gone: acknowledged) and died before recording it.
    await takeRun(deps.table, id, { owner: 'dies', until: new Date(T0 + 60_000).toISOString() }, [{ userId: user.id, through: 3 }], new Date(T0 + 1));
    at(61_000);
    await runDue();
    expect(sequences(r, user.id)).toEqual([1, 2, 3]);
  });

  it('what was handed to a run that died is delivered, in order, once its lease has run out', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    await takeRun(deps.table, id, { owner: 'dies', until: new Date(T0 + 60_000).toISOString() }, [], new Date(T0 + 1));
    for (const i of [1, 2]) await setContactEmail(deps, admin.id, user.id, `during${i}@home.example`);
    await deps.jobs.idle();
    at(30_000);
    await runDue();
    expect(sequences(r, user.id)).toEqual([1, 2]);
    at(61_000);
    await runDue();
    expect(sequences(r, user.id)).toEqual([1, 2, 3, 4]);
    expect(await takeRun(deps.table, id, { owner: 'next', until: new Date(T0 + 120_000).toISOString() }, [], new Date(T0 + 61_001))).toEqual({ wanted: [] });
  });

  it('a run whose lease another run took over records nothing more', async () => {
    const { id } = await createSubscription(deps, admin.id, { url: 'http://127.0.0.1:9/hook' });
    // The admin's event is fanned out to this subscription too, and stepped over (older): before the runs below.
    await deps.jobs.idle();
    const lease = (owner: string, ms: number) => ({ owner, until: new Date(T0 + ms).toISOString() });
    await takeRun(deps.table, id, lease('slow', 60_000), [{ userId: 'U0', through: 1 }], new Date(T0));
    expect(await takeRun(deps.table, id, lease('other', 120_000), [{ userId: 'U1', through: 2 }], new Date(T0 + 30_000))).toBe('busy');
    // The slow run's lease ran out and another took the subscription, with what the first held and was asked.
    const taken = await takeRun(deps.table, id, lease('next', 150_000), [], new Date(T0 + 90_000));
    expect(taken !== 'busy' && taken.wanted.sort()).toEqual(['U0#1', 'U1#2']);
    expect(await renewRun(deps.table, id, lease('slow', 200_000))).toBe(false);
    expect(await releaseRun(deps.table, id, lease('slow', 200_000), ['U0#1'])).toBe('lost');
    expect(await releaseRun(deps.table, id, lease('next', 150_000), ['U0#1', 'U1#2'])).toBe('released');
  });

  it("delivers a burst of one subscription's events as one run: 30 users' events for 2 reads and 5 writes", async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const users: User[] = [];
    for (let i = 0; i < 30; i++) users.push(await seedActiveUser(deps, admin.id));
    await deps.jobs.idle();
    const queued: OutboxMessage[] = [];
    const collecting = { ...deps, table: { ...deps.table, relay: (messages: OutboxMessage[]) => void queued.push(...messages) } };
    for (const user of users) await dismissUser(collecting, admin.id, user.id, {});
    await runMessages(
      collecting,
      queued.splice(0).filter((m) => m.type === 'events'),
    );
    const delivers = queued.filter((m) => m.type === 'deliver');
    expect(delivers).toHaveLength(30);
    const log = countRequests(deps.table.client);
    // A run: its lease, the subscription, every pair's progress and event (one BatchGetItem), the
    // 60 progress and log items (three BatchWriteItems), and letting go.
    await runMessages(collecting, delivers);
    expect({ reads: log.reads, writes: log.writes }).toEqual({ reads: 2, writes: 5 });
    for (const user of users) expect(sequences(r, user.id)).toEqual([1, 2, 3]);
    expect((await listSubscriptionDeliveries(deps, admin.id, id, 100)).items.filter((d) => d.type === 'user.dismissed')).toHaveLength(30);
  });

  it('a round starts no attempt after half the lease: with a subscriber that hangs, what it tried is recorded before it tries more', async () => {
    deps.events = { ...deps.events, timeoutMs: 600, leaseMs: 400 };
    let arrived = 0;
    const hanging = createServer(() => void arrived++);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      const { id } = await createSubscription(deps, admin.id, { url: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hook` });
      const queued: OutboxMessage[] = [];
      // Mail runs as usual; the event-delivery messages are held, to be run at once below.
      const relay = (messages: OutboxMessage[]) => {
        for (const message of messages) {
          if (message.type === 'events' || message.type === 'deliver') queued.push(message);
          else void deps.jobs.enqueue(message);
        }
      };
      const collecting = { ...deps, table: { ...deps.table, relay } };
      for (let i = 0; i < 20; i++) await seedActiveUser(collecting, admin.id);
      await runMessages(
        collecting,
        queued.splice(0).filter((m) => m.type === 'events'),
      );
      const run = runMessages(
        collecting,
        queued.filter((m) => m.type === 'deliver'),
      );
      // The first 16 attempts time out after the round's start window closed: they are recorded
      // (retrying) before the next round tries the other 4 pairs.
      await expect.poll(() => arrived, { timeout: 5_000 }).toBeGreaterThan(16);
      const recorded = (await listSubscriptionDeliveries(deps, admin.id, id, 100)).items;
      expect(recorded.filter((d) => d.status === 'retrying')).toHaveLength(16);
      await run;
      expect((await listSubscriptionDeliveries(deps, admin.id, id, 100)).items.filter((d) => d.status === 'retrying')).toHaveLength(20);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it('a run that must yield does so too when what it was asked for meanwhile comes after its last round', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const [first, second] = [await seedActiveUser(deps, admin.id), await seedActiveUser(deps, admin.id)];
    await deps.jobs.idle();
    const { deps: relayDown } = holdingJobs(deps);
    for (const user of [first, second]) await setContactEmail(relayDown, admin.id, user.id, `later-${user.id}@home.example`);
    // While the run sends the first user's event, another worker is asked for the second's.
    r.onReceive(() =>
      takeRun(deps.table, id, { owner: 'other', until: new Date(T0 + 60_000).toISOString() }, [{ userId: second!.id, through: 3 }], new Date(T0 + 1)),
    );
    expect(await deliverRun(deps, id, [{ userId: first!.id, through: 3 }], { shouldYield: () => true })).toBe('yielded');
    expect(sequences(r, second!.id)).toEqual([1, 2]);
    await deps.jobs.idle();
    expect(sequences(r, second!.id)).toEqual([1, 2, 3]);
  });

  it('a run that must yield hands the rest to a fresh run, and everything arrives in order', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const { deps: relayDown } = holdingJobs(deps);
    for (let i = 0; i < 26; i++) await setContactEmail(relayDown, admin.id, user.id, `c${i}@home.example`);
    // 26 events waiting, more than a round reads for one pair: the run yields after the first round.
    expect(await deliverRun(deps, id, [{ userId: user.id, through: 28 }], { shouldYield: () => true })).toBe('yielded');
    expect(sequences(r, user.id)).toEqual(Array.from({ length: 27 }, (_, i) => i + 1));
    await deps.jobs.idle();
    expect(sequences(r, user.id)).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
  });

  it('stores the secrets sealed: the table holds neither secret, and a sealed value moved onto another subscription does not open', async () => {
    const r = await receiver();
    const { id, secret: first } = await createSubscription(deps, admin.id, { url: r.url });
    const { secret: second } = await rotateSubscriptionSecret(deps, admin.id, id);
    const other = await createSubscription(deps, admin.id, { url: r.url });
    const stored = (await deps.table.client.send(new ScanCommand({ TableName: deps.table.name }))).Items ?? [];
    const dump = JSON.stringify(stored);
    for (const secret of [first, second, other.secret]) expect(dump).not.toContain(secret.slice(6));
    const item = stored.find((x) => x.sk === `EVENTSUB#${id}`)!;
    expect(item.secrets).toHaveLength(2);
    expect(item.secrets[0].sealed.split('.')).toHaveLength(5);
    await expect(deps.secretBox.open(item.secrets[0].sealed, subscriptionSecretPurpose(id))).resolves.toBe(second);
    await expect(deps.secretBox.open(item.secrets[0].sealed, subscriptionSecretPurpose(other.id))).rejects.toThrow();
  });

  it('parks the head event after 24 hours of failures, flags the subscription, and delivers it and what waits behind it on retry', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    r.answer(500);
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    for (const hours of [1, 6, 20]) {
      at(hours * HOUR);
      await runDue();
    }
    expect((await getSubscriptionView(deps, admin.id, id)).flagged).toBe(false);
    at(24 * HOUR + 60_000);
    await runDue();
    const parked = (await listSubscriptionDeliveries(deps, admin.id, id, 10)).items;
    expect(parked).toMatchObject([{ sequence: 1, status: 'parked', lastStatusCode: 500, nextAttemptAt: null }]);
    expect((await getSubscriptionView(deps, admin.id, id)).flagged).toBe(true);
    // Nothing more is tried: parked means waiting for an admin.
    at(48 * HOUR);
    await runDue();
    expect((await listSubscriptionDeliveries(deps, admin.id, id, 10)).items[0]!.attempts).toBe(parked[0]!.attempts);
    r.answer(200);
    await expect(retrySubscriptionDelivery(deps, admin.id, id, parked[0]!.eventId)).resolves.toMatchObject({ status: 'pending' });
    await deps.jobs.idle();
    expect(sequences(r, user.id)).toEqual([1, 2]);
    expect((await listSubscriptionDeliveries(deps, admin.id, id, 10)).items.map((d) => [d.sequence, d.status])).toEqual([
      [2, 'delivered'],
      [1, 'delivered'],
    ]);
    expect((await getSubscriptionView(deps, admin.id, id)).flagged).toBe(false);
    await expect(retrySubscriptionDelivery(deps, admin.id, id, parked[0]!.eventId)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('a parked event that follows events the subscription does not want can be retried, and arrives', async () => {
    const r = await receiver();
    // Only dismissals: the user's invitation and activation are skipped, not written one by one.
    const { id } = await createSubscription(deps, admin.id, { url: r.url, eventTypes: ['user.dismissed'] });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    r.answer(500);
    await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    for (const hours of [1, 6, 20]) {
      at(hours * HOUR);
      await runDue();
    }
    at(24 * HOUR + 60_000);
    await runDue();
    const parked = (await listSubscriptionDeliveries(deps, admin.id, id, 10)).items;
    expect(parked).toMatchObject([{ sequence: 3, type: 'user.dismissed', status: 'parked' }]);
    r.answer(200);
    await expect(retrySubscriptionDelivery(deps, admin.id, id, parked[0]!.eventId)).resolves.toMatchObject({ status: 'pending' });
    await deps.jobs.idle();
    expect(sequences(r, user.id)).toEqual([3]);
  });

  it('deleting a subscription stops its deliveries, retries included', async () => {
    const r = await receiver();
    const { id } = await createSubscription(deps, admin.id, { url: r.url });
    r.answer(503);
    await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    await deleteSubscription(deps, admin.id, id);
    r.answer(200);
    at(5 * HOUR);
    await runDue();
    expect(r.received).toEqual([]);
    // Out of the due index too: the schedule does not queue them again and again.
    expect(await duePairs(deps.table, new Date(T0 + 50 * HOUR))).toEqual([]);
    await expect(getSubscriptionView(deps, admin.id, id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('in public mode refuses private targets when subscribing, and again when a name resolves to one at delivery', async () => {
    const rebinding = (hostname: string, _options: unknown, callback: (error: null, addresses: LookupAddress[]) => void) =>
      callback(
        null,
        hostname === 'rebind.example'
          ? [
              { address: '93.184.215.14', family: 4 },
              { address: '127.0.0.1', family: 4 },
            ]
          : [],
      );
    deps.events = { ...deps.events, targets: 'public', resolve: rebinding };
    for (const url of [
      'http://hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest',
      'https://100.64.0.1/x',
      'https://[::1]/x',
      'https://[::ffff:192.168.0.1]/x',
      'https://[fe80::1]/x',
      'https://0x7f000001/x',
      'https://localhost/x',
      'https://user:pw@hooks.example.com/x',
    ]) {
      await expect(createSubscription(deps, admin.id, { url }), url).rejects.toMatchObject({ code: 'invalid_request' });
    }
    const { id } = await createSubscription(deps, admin.id, { url: 'https://rebind.example/hook' });
    await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    expect((await listSubscriptionDeliveries(deps, admin.id, id, 10)).items).toMatchObject([
      { sequence: 1, status: 'retrying', lastStatusCode: null, lastError: expect.stringContaining('target refused') },
    ]);
  });
});
