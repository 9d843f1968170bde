import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { TableRef } from '../../lib/data/client';
import { duePairs, getProgress, releaseLease, releaseLeftoverLeases, takeLease, type Target } from '../../lib/data/delivery-pairs';
import { keys } from '../../lib/data/keys';
import { LocalJwt } from '../../lib/local/local-auth';
import { statePaths } from '../../lib/local/state';
import { createTestTable } from '../support/db';
import { makeInvite } from '../support/factories';
import { removeTempStateDirs, startServerProcess, tempStateDir, waitFor, type ServerProcess } from '../support/server-process';

/**
 * Issue 15: lifecycle events reach a webhook subscriber at least once and, per user, in order,
 * even when `npm start` is killed outright while deliveries are in flight and started again on
 * the same state. The real server process, a slow receiver on loopback, a SIGKILL mid-delivery.
 */

const USERS = 5;
const CHANGES_PER_USER = 20;

const running: ServerProcess[] = [];
const receivers: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.kill('SIGKILL')));
  for (const receiver of receivers.splice(0)) {
    receiver.closeAllConnections();
    receiver.close();
  }
});
afterAll(removeTempStateDirs);

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  running.push(server);
  return server;
}

/**
 * A subscriber that takes 20 to 50 ms to answer each delivery, so a kill finds some in flight. It
 * verifies each signature (refusing, 400, what does not verify), and notes per user the order in which each sequence was
 * first accepted (answered 200 on a connection still open) and whether it arrived before the
 * sequence before it had been accepted (out of order).
 */
async function slowReceiver() {
  let secret: string | undefined;
  let onAccepted: (() => void) | undefined;
  const accepted = new Map<string, number[]>();
  const acceptedSet = new Map<string, Set<number>>();
  const stats = { arrivals: 0, accepted: 0, duplicates: 0, abandoned: 0, badSignatures: 0, outOfOrder: [] as string[] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      stats.arrivals++;
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        new Webhook(secret!).verify(raw, req.headers as Record<string, string>);
      } catch {
        stats.badSignatures++;
        res.writeHead(400).end();
        return;
      }
      const { userId, sequence } = (JSON.parse(raw) as { data: { userId: string; sequence: number } }).data;
      const seen = acceptedSet.get(userId) ?? new Set<number>();
      acceptedSet.set(userId, seen);
      // Event n+1 may be sent only once n was accepted (the first event of a user is 1).
      if (sequence > 1 && !seen.has(sequence - 1)) stats.outOfOrder.push(`${userId}#${sequence} arrived before #${sequence - 1} was accepted`);
      setTimeout(
        () => {
          // The sender died meanwhile: it never saw an answer, so this is not an acceptance.
          if (res.destroyed || req.socket.destroyed) {
            stats.abandoned++;
            return;
          }
          res.writeHead(200).end();
          stats.accepted++;
          if (seen.has(sequence)) {
            stats.duplicates++;
            return;
          }
          seen.add(sequence);
          accepted.set(userId, [...(accepted.get(userId) ?? []), sequence]);
          const then = onAccepted;
          onAccepted = undefined;
          then?.();
        },
        20 + Math.random() * 30,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receivers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`,
    useSecret(value: string) {
      secret = value;
    },
    /** Runs `then` right after the next first acceptance is answered (before the sender can record it). */
    afterNextAcceptance(then: () => void) {
      onAccepted = then;
    },
    /** Per user, the sequences in the order each was first accepted. */
    accepted,
    stats,
    distinct: () => [...acceptedSet.values()].reduce((sum, set) => sum + set.size, 0),
  };
}

async function call(server: ServerProcess, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function storedVersion(table: TableRef, userId: string): Promise<number> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.user(userId), ConsistentRead: true }));
  return Number(Item?.version);
}

describe('webhook delivery across a SIGKILL of npm start', () => {
  it('every event of every user arrives, signed, in order per user, after the server is killed mid-delivery and started again', async () => {
    const table = await createTestTable();
    const stateDir = tempStateDir();
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: table.name, LOCAL_STATE_DIR: stateDir };
    const server = await start(env);
    const token = await LocalJwt.fromFile(statePaths(stateDir).jwtKey).sign(server.adminId);
    const receiver = await slowReceiver();
    const subscription = await call(server, token, 'POST', '/event-subscriptions', { url: receiver.url });
    expect(subscription.secret).toMatch(/^whsec_/);
    receiver.useSecret(subscription.secret as string);
    const workgroups = await Promise.all(
      [0, 1, 2, 3].map(async (n) => (await call(server, token, 'POST', '/workgroups', { name: `Recovery ${n} ${Date.now()}`, extranet: false })).id as string),
    );

    // Each user: invited (event 1), then 20 changes one after another (contact addresses, and
    // joining and leaving workgroups); the users concurrently.
    const expected = new Map<string, number>();
    const changesStarted = Date.now();
    await Promise.all(
      Array.from({ length: USERS }, async () => {
        const user = await call(server, token, 'POST', '/users', makeInvite());
        const id = user.id as string;
        let committed = 1;
        for (let change = 0; change < CHANGES_PER_USER; change++) {
          if (change % 2 === 0) {
            await call(server, token, 'PUT', `/users/${id}/contact-email`, { email: `contact-${change}-${id.toLowerCase()}@corp.example` });
          } else {
            const workgroup = workgroups[Math.floor(change / 4) % workgroups.length]!;
            await call(server, token, change % 4 === 1 ? 'PUT' : 'DELETE', `/workgroups/${workgroup}/members/${id}`);
          }
          committed++;
        }
        expected.set(id, committed);
      }),
    );
    const total = [...expected.values()].reduce((sum, n) => sum + n, 0);
    for (const [id, n] of expected) expect(await storedVersion(table, id)).toBe(n);

    // Kill it mid-delivery: the moment the receiver has answered 200 to the next event, before the
    // server could record that (the other users' deliveries are in flight or about to be).
    const phases = { changes: Date.now() - changesStarted };
    // Were every event in already, there would be no delivery to interrupt.
    expect(receiver.distinct()).toBeLessThan(total);
    const killed = new Promise<{ at: number; accepted: number; arrivals: number }>((resolve) =>
      receiver.afterNextAcceptance(() => {
        void server.kill('SIGKILL');
        resolve({ at: Date.now(), accepted: receiver.distinct(), arrivals: receiver.stats.arrivals });
      }),
    );
    const kill = await killed;
    running.splice(running.indexOf(server), 1);
    await server.exited;
    expect(kill.accepted).toBeGreaterThan(0);
    expect(kill.accepted).toBeLessThan(total);

    const again = await start(env);
    const served = Date.now();
    // Well within the minute the dead run's leases would have held the pairs for.
    const all = await waitFor(
      async () => receiver.distinct(),
      (n) => n === total,
      20_000,
    );
    const done = Date.now();
    const released = Number(/(\d+) delivery leases released/.exec(again.output())?.[1]);
    console.info(
      `webhook events across a SIGKILL: ${total} events of ${USERS} users (changes took ${phases.changes} ms); ${kill.accepted} accepted at the kill (${kill.arrivals} requests); ` +
        `kill to serving again ${served - kill.at} ms, to every event accepted ${done - kill.at} ms; ${released} leases released at start; ` +
        `${receiver.stats.arrivals} requests in all, ${receiver.stats.duplicates} duplicates, ${receiver.stats.abandoned} cut off by the kill`,
    );
    expect(receiver.stats.badSignatures).toBe(0);
    expect(receiver.stats.outOfOrder).toEqual([]);
    expect(all).toBe(total);
    // The pair whose 200 triggered the kill was leased: its lease was released, not waited out.
    expect(released).toBeGreaterThanOrEqual(1);
    // Every sequence 1..N of each user accepted, each first accepted after the one before it;
    // duplicates (a 200 the dead run never recorded) are allowed, and counted above.
    for (const [id, n] of expected) {
      expect(receiver.accepted.get(id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    }
  }, 90_000);

  it('at start, a lease a dead run still holds is released with its pair due at once; a pair nobody holds is left as it is', async () => {
    const table = await createTestTable();
    const target: Target = { kind: 'subscription', id: 'S1' };
    const now = new Date();
    const minuteOn = new Date(now.getTime() + 60_000).toISOString();
    expect(await takeLease(table, target, 'HELD', { owner: 'dead-run', until: minuteOn }, now)).toMatchObject({ lastDelivered: 0 });
    await takeLease(table, target, 'FREE', { owner: 'done-run', until: minuteOn }, now);
    expect(await releaseLease(table, target, 'FREE', 'done-run')).toBe('released');
    expect(await releaseLeftoverLeases(table, now)).toBe(1);
    // Released once: nothing is left to release, and the pair is due now, not in a minute.
    expect(await releaseLeftoverLeases(table, now)).toBe(0);
    expect(await duePairs(table, now)).toEqual([{ target, userId: 'HELD' }]);
    expect(await takeLease(table, target, 'HELD', { owner: 'new-run', until: minuteOn }, now)).toMatchObject({ lastDelivered: 0, status: 'ok' });
    // The new run's lease is live: another worker finds it busy.
    expect(await takeLease(table, target, 'HELD', { owner: 'other', until: minuteOn }, now)).toBe('busy');
    expect(await getProgress(table, target, 'HELD')).toMatchObject({ lastDelivered: 0 });
  });
});
