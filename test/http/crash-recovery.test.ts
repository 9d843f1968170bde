import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { TableRef } from '../../lib/data/client';
import { getJob } from '../../lib/data/jobs';
import { keys } from '../../lib/data/keys';
import { outboxIdOf } from '../../lib/data/outbox-item';
import type { Job } from '../../lib/domain/work';
import { LocalJwt } from '../../lib/local/local-auth';
import { markOutboxHandled } from '../../lib/local/recovery';
import { statePaths } from '../../lib/local/state';
import { dismissUser, inviteUser } from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, itemsWithPrefix } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { removeTempStateDirs, startServerProcess, tempStateDir, waitFor, type ServerProcess } from '../support/server-process';
import { seedOpenWork } from '../support/work';

/**
 * The local runtime has no stream and no durable queue: what a request commits to the outbox runs
 * in the server process. These tests run the real `npm start` process, kill it for real and start
 * it again on the same table and state folder: every committed follow-up still runs, once.
 */

const running: ServerProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.kill('SIGKILL')));
});
afterAll(removeTempStateDirs);

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  running.push(server);
  return server;
}

async function stop(server: ServerProcess, signal: NodeJS.Signals): Promise<void> {
  running.splice(running.indexOf(server), 1);
  await server.kill(signal);
}

const settled = (job: Job | undefined) => job?.status === 'completed' || job?.status === 'failed';

/** Every work item of the (fresh) table, with its owner, and both users' committed open-work counts. */
async function workState(table: TableRef, userIds: string[]) {
  const items = (await itemsWithPrefix(table, 'WORK#')).filter((item) => item.sk === 'WORK');
  const owners = new Map<string, number>();
  for (const item of items) owners.set(`${item.responsibleId}|${item.gsi3pk}`, (owners.get(`${item.responsibleId}|${item.gsi3pk}`) ?? 0) + 1);
  const counts = await Promise.all(
    userIds.map(async (id) => {
      const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.openWork(id), ConsistentRead: true }));
      return { task: Number(Item?.task ?? 0), activity: Number(Item?.activity ?? 0) };
    }),
  );
  return { owners: Object.fromEntries(owners), counts };
}

async function unhandledOutboxItems(table: TableRef) {
  return (await itemsWithPrefix(table, 'OUTBOX#')).filter((item) => !item.handledAt);
}

async function localOutbox(server: ServerProcess): Promise<{ to: string; kind: string; token: string }[]> {
  return (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; kind: string; token: string }[];
}

async function post(server: ServerProcess, path: string, body: unknown, token?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const mailedTo = (file: string, to: string) =>
  existsSync(file) &&
  readFileSync(file, 'utf8')
    .split('\n')
    .some((line) => line.includes(`"to":${JSON.stringify(to)}`));

describe('the local runtime resumes, at start, what a previous run committed but did not finish', () => {
  it('a dismissal handover and an invitation whose outbox messages nobody handled run at the next start, and only then', async () => {
    const deps = await createTestDeps();
    const admin = await seedAdmin(deps);
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 300);
    // The seeding's mail ran in this process: marked handled, as the run that handled it would.
    await deps.jobs.idle();
    for (const item of await unhandledOutboxItems(deps.table)) await markOutboxHandled(deps.table, outboxIdOf(item.pk as string), new Date());
    // The requests commit, with their outbox messages, and the process dies before running them.
    const { deps: died } = holdingJobs(deps);
    const dismissed = await dismissUser(died, admin.id, leaver.id, { delegateId: delegate.id });
    const invited = await inviteUser(died, admin.id, makeInvite());
    expect(await getJob(deps.table, dismissed.handoverJobId!)).toMatchObject({ status: 'pending', moved: { tasks: 0, activities: 0 } });
    // The handover, the invitation's mail, and each change's lifecycle-event message.
    expect((await unhandledOutboxItems(deps.table)).map((item) => (item.message as { type: string }).type).sort()).toEqual([
      'events',
      'events',
      'handover',
      'mail',
    ]);

    const stateDir = tempStateDir();
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: deps.table.name, LOCAL_STATE_DIR: stateDir };
    const spawned = Date.now();
    const server = await start(env);
    const served = Date.now();
    // The four above, and not the fan-out of the server's own bootstrap admin: it commits after the scan.
    expect(server.output()).toMatch(/Resumed:\s+4 unhandled outbox messages, 0 other unfinished handover jobs/);
    const job = await waitFor(() => getJob(deps.table, dismissed.handoverJobId!), settled, 90_000);
    const completed = Date.now();
    console.info(`resume after a crash (300 items): process start to serving ${served - spawned} ms, to handover completed ${completed - spawned} ms`);

    expect(job).toMatchObject({ status: 'completed', moved: { tasks: 150, activities: 150 } });
    expect(await workState(deps.table, [leaver.id, delegate.id])).toEqual({
      owners: { [`${delegate.id}|RESP#${delegate.id}`]: 300 },
      counts: [
        { task: 0, activity: 0 },
        { task: 150, activity: 150 },
      ],
    });
    const mail = (await localOutbox(server)).filter((entry) => entry.to === invited.loginEmail);
    expect(mail).toEqual([expect.objectContaining({ kind: 'invitation' })]);
    expect((await post(server, '/invitations/accept', { token: mail[0]!.token })).status).toBe(200);
    // Handled messages are marked, so the next start has nothing to resume.
    expect(
      await waitFor(
        () => unhandledOutboxItems(deps.table),
        (items) => items.length === 0,
        10_000,
      ),
    ).toEqual([]);
    await stop(server, 'SIGTERM');

    const again = await start(env);
    expect(again.output()).toMatch(/Resumed:\s+0 unhandled outbox messages, 0 other unfinished handover jobs/);
    // The mail sent before the restart is still listed (the local outbox is kept in the state folder).
    expect((await localOutbox(again)).filter((entry) => entry.to === invited.loginEmail)).toHaveLength(1);
  }, 240_000);

  it('a SIGKILL in the middle of a 1,000-item handover, right after an invitation: after a restart every item has moved once and the invitation is mailed', async () => {
    const deps = await createTestDeps();
    const admin = await seedAdmin(deps);
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    await seedOpenWork(deps.table, leaver.id, 1_000);
    const stateDir = tempStateDir();
    const env = { DYNAMODB_ENDPOINT: inject('dynamoEndpoint'), TABLE_NAME: deps.table.name, LOCAL_STATE_DIR: stateDir };
    const server = await start(env);
    const token = await LocalJwt.fromFile(statePaths(stateDir).jwtKey).sign(admin.id);

    const dismissal = await post(server, `/users/${leaver.id}/dismiss`, { delegateId: delegate.id }, token);
    expect(dismissal.status).toBe(200);
    const jobId = dismissal.body.handoverJobId as string;
    // Mid-run: once the first chunks have committed, invite someone and kill the server as soon as
    // the invitation is answered, before (most likely) its mail went out.
    const midRun = await waitFor(
      () => getJob(deps.table, jobId),
      (job) => (job?.moved.tasks ?? 0) + (job?.moved.activities ?? 0) > 0,
      60_000,
      5,
    );
    const invitation = await post(server, '/users', makeInvite(), token);
    await stop(server, 'SIGKILL');
    expect(invitation.status).toBe(201);
    const invited = invitation.body.loginEmail as string;

    const atKill = (await getJob(deps.table, jobId))!;
    const movedAtKill = atKill.moved.tasks + atKill.moved.activities;
    expect(midRun!.status).toBe('running');
    expect(atKill.status).toBe('running');
    expect(movedAtKill).toBeGreaterThan(0);
    expect(movedAtKill).toBeLessThan(1_000);
    const mailedBeforeKill = mailedTo(statePaths(stateDir).mail, invited);

    const restarted = Date.now();
    const again = await start(env);
    const job = await waitFor(() => getJob(deps.table, jobId), settled, 90_000);
    console.info(
      `SIGKILL mid-handover: ${movedAtKill} of 1000 items moved at the kill; restart to completion ${Date.now() - restarted} ms; invitation mailed before the kill: ${mailedBeforeKill}`,
    );

    expect(job).toMatchObject({ status: 'completed', moved: { tasks: 500, activities: 500 } });
    expect(await workState(deps.table, [leaver.id, delegate.id])).toEqual({
      owners: { [`${delegate.id}|RESP#${delegate.id}`]: 1_000 },
      counts: [
        { task: 0, activity: 0 },
        { task: 500, activity: 500 },
      ],
    });
    const mail = (await localOutbox(again)).filter((entry) => entry.to === invited && entry.kind === 'invitation');
    expect(mail.length).toBeGreaterThanOrEqual(1);
    expect((await post(again, '/invitations/accept', { token: mail.at(-1)!.token })).status).toBe(200);
    expect(
      await waitFor(
        () => unhandledOutboxItems(deps.table),
        (items) => items.length === 0,
        10_000,
      ),
    ).toEqual([]);
  }, 240_000);
});
