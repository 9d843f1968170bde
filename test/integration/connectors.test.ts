import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { confirmLoginEmailChange, requestLoginEmailChange } from '../../lib/use-cases/address-moves';
import { runSyncStep } from '../../lib/use-cases/connector-sync';
import { clientFor, provisionPair } from '../../lib/use-cases/provisioning';
import { getConnector } from '../../lib/data/connectors';
import { createConnector, deleteConnector, getConnectorSyncJob, getConnectorView, startConnectorSync, userAccess } from '../../lib/use-cases/connectors';
import { runDueDeliveries } from '../../lib/use-cases/event-delivery';
import { dismissUser, eraseUser, inviteUser, rehireUser, setAdmin, setContactEmail } from '../../lib/use-cases/users';
import { createTestDeps, holdingJobs, type TestDeps } from '../support/db';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { startScimServer, type ScimTestServer, type StoredUser } from '../support/scim-server';

/*
 * Rule 14 against a real third-party SCIM 2.0 service provider (SCIMMY behind scimmy-routers, on
 * loopback): real DynamoDB Local, the in-process queue standing in for SQS, the injected clock
 * instead of waiting for retries.
 */

let deps: TestDeps;
let admin: User;
let scim: ScimTestServer;
let connectorId: string;
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const at = (ms: number) => deps.setNow(new Date(T0 + ms));
const HOUR = 3_600_000;

beforeEach(async () => {
  deps = await createTestDeps();
  at(0);
  admin = await seedAdmin(deps);
  // The admin's own event is fanned out before the connector exists: the admin predates it.
  await deps.jobs.idle();
  scim = await startScimServer();
  connectorId = (await createConnector(deps, admin.id, { kind: 'scim', name: 'Chat', baseUrl: scim.baseUrl, token: scim.token })).id;
});
afterEach(async () => {
  await deps.jobs.idle();
  await scim.close();
});

const remoteOf = (user: Pick<User, 'id'>): StoredUser | undefined => [...scim.users.values()].find((u) => u.externalId === user.id);
const accessOf = async (user: Pick<User, 'id'>) => (await userAccess(deps, admin.id, user.id)).items.find((a) => a.connectorId === connectorId)!;

async function runDue() {
  await deps.jobs.idle();
  await runDueDeliveries(deps);
  await deps.jobs.idle();
}

describe('SCIM connectors', () => {
  it('creates the account on activation, not while invited, with the mapped fields', async () => {
    const invited = await inviteUser(deps, admin.id, makeInvite({ firstName: 'Lee', lastName: 'Park', contactEmail: 'lee@home.example' }));
    await deps.jobs.idle();
    expect(remoteOf(invited)).toBeUndefined();
    expect(await accessOf(invited)).toMatchObject({ state: 'pending', remoteId: null });
    const user = await seedActiveUser(deps, admin.id, { firstName: 'Mia', lastName: 'Ito', contactEmail: 'mia@home.example' });
    await deps.jobs.idle();
    const remote = remoteOf(user)!;
    expect(remote).toMatchObject({ userName: user.loginEmail, active: true, name: { givenName: 'Mia', familyName: 'Ito' } });
    expect(remote.emails).toEqual(
      expect.arrayContaining([expect.objectContaining({ value: user.loginEmail, primary: true }), expect.objectContaining({ value: 'mia@home.example' })]),
    );
    expect(await accessOf(user)).toMatchObject({ state: 'provisioned', remoteId: remote.id, reason: null });
  });

  it('a turn for an older event applies the newest state when a later event is already committed', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const remoteId = remoteOf(user)!.id;
    const { deps: relayDown } = holdingJobs(deps);
    await dismissUser(relayDown, admin.id, user.id, {});
    await rehireUser(relayDown, admin.id, user.id);
    // Only the dismissal's turn runs (the rehire's was merged into it, or lost with a crash).
    await provisionPair(deps, connectorId, user.id, 3);
    expect(scim.users.get(remoteId)!.active).toBe(true);
    expect(await accessOf(user)).toMatchObject({ state: 'provisioned', remoteId });
  });

  it('a dismissal deactivates the remote account, a rehire reactivates it, address changes update it', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const remoteId = remoteOf(user)!.id;
    await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    expect(scim.users.get(remoteId)!.active).toBe(false);
    expect(await accessOf(user)).toMatchObject({ state: 'deactivated', remoteId });
    await rehireUser(deps, admin.id, user.id);
    await deps.jobs.idle();
    expect(scim.users.get(remoteId)!.active).toBe(true);
    await setContactEmail(deps, admin.id, user.id, 'new@home.example');
    await deps.jobs.idle();
    expect(JSON.stringify(scim.users.get(remoteId)!.emails)).toContain('new@home.example');
    await requestLoginEmailChange(deps, admin.id, user.id, 'renamed@corp.example');
    const mail = (await deps.sentMail()).findLast((m) => m.to === 'renamed@corp.example')!;
    await confirmLoginEmailChange(deps, mail.token);
    await deps.jobs.idle();
    expect(scim.users.get(remoteId)!.userName).toBe('renamed@corp.example');
    // One account all along: no twin was created by any of the changes.
    expect([...scim.users.values()].filter((u) => u.externalId === user.id)).toHaveLength(1);
    expect(await accessOf(user)).toMatchObject({ state: 'provisioned', remoteId });
  });

  it('a change that touches no account field sends nothing; a dismissal is one PATCH of active', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const before = scim.requests.length;
    await setAdmin(deps, admin.id, user.id, true);
    await setAdmin(deps, admin.id, user.id, false);
    await deps.jobs.idle();
    expect(scim.requests.slice(before)).toEqual([]);
    await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    expect(
      scim.requests
        .slice(before)
        .map((r) => r.method)
        .filter((m) => m !== 'GET'),
    ).toEqual(['PATCH']);
  });

  it("reads the provider's ServiceProviderConfig once, not at every step (providers rate-limit)", async () => {
    const users = [await seedActiveUser(deps, admin.id), await seedActiveUser(deps, admin.id)];
    await deps.jobs.idle();
    for (const user of users) await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    for (const user of users) await rehireUser(deps, admin.id, user.id);
    await deps.jobs.idle();
    expect(users.every((user) => remoteOf(user)!.active === true)).toBe(true);
    expect(scim.requests.filter((r) => r.path === '/ServiceProviderConfig')).toHaveLength(1);
  });

  it('steps that start together share one read of the ServiceProviderConfig', async () => {
    const users = [await seedActiveUser(deps, admin.id), await seedActiveUser(deps, admin.id), await seedActiveUser(deps, admin.id)];
    await deps.jobs.idle();
    // Creating an account needs no capabilities: nothing has read them yet.
    expect(scim.requests.filter((r) => r.path === '/ServiceProviderConfig')).toHaveLength(0);
    const connector = (await getConnector(deps.table, connectorId))!;
    const clients = await Promise.all(users.map(() => clientFor(deps, connector)));
    const outcomes = await Promise.all(clients.map((client, i) => client.deactivate(remoteOf(users[i]!)!.id)));
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(scim.requests.filter((r) => r.path === '/ServiceProviderConfig')).toHaveLength(1);
  });

  it('an erasure deprovisions (DELETE), or deactivates where the provider refuses DELETE', async () => {
    const kept = await seedActiveUser(deps, admin.id);
    const gone = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const keptId = remoteOf(kept)!.id;
    const goneId = remoteOf(gone)!.id;
    await dismissUser(deps, admin.id, gone.id, {});
    await eraseUser(deps, admin.id, gone.id);
    await deps.jobs.idle();
    expect(scim.users.has(goneId)).toBe(false);
    expect(await accessOf(gone)).toMatchObject({ state: 'deprovisioned' });
    scim.refuseDelete(405);
    await dismissUser(deps, admin.id, kept.id, {});
    await eraseUser(deps, admin.id, kept.id);
    await deps.jobs.idle();
    expect(scim.users.get(keptId)!.active).toBe(false);
    expect(await accessOf(kept)).toMatchObject({ state: 'deprovisioned', reason: 'the provider keeps accounts: deactivated' });
  });

  it('adopts an account that already holds the login (409) instead of creating a twin', async () => {
    const invite = makeInvite();
    scim.users.set('by-hand', { id: 'by-hand', userName: invite.loginEmail, active: false, schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'] });
    const invited = await inviteUser(deps, admin.id, invite);
    const mail = (await deps.sentMail()).findLast((m) => m.to === invited.loginEmail)!;
    const { acceptInvitation } = await import('../../lib/use-cases/users');
    await acceptInvitation(deps, mail.token);
    await deps.jobs.idle();
    expect(scim.users.size).toBe(1);
    expect(scim.users.get('by-hand')).toMatchObject({ active: true, externalId: invited.id });
    expect(await accessOf(invited)).toMatchObject({ state: 'provisioned', remoteId: 'by-hand' });
  });

  it('re-creates an account deleted by hand when the next change arrives (404)', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    scim.users.delete(remoteOf(user)!.id);
    await setContactEmail(deps, admin.id, user.id, 'again@home.example');
    await deps.jobs.idle();
    const remote = remoteOf(user)!;
    expect(remote.active).toBe(true);
    expect(await accessOf(user)).toMatchObject({ state: 'provisioned', remoteId: remote.id });
  });

  it('throttled (429 with Retry-After): failed with the reason, retried after the wait, then provisioned', async () => {
    scim.injectOnce({ status: 429, headers: { 'retry-after': '120' }, detail: 'slow down' });
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const failed = await accessOf(user);
    expect(failed.state).toBe('failed');
    expect(failed.reason).toContain('429');
    expect(failed.reason).not.toContain(scim.token);
    at(60_000);
    await runDue();
    expect((await accessOf(user)).state).toBe('failed');
    at(121_000);
    await runDue();
    expect(await accessOf(user)).toMatchObject({ state: 'provisioned', reason: null });
  });

  it('a rehire racing a dismissal ends in the remote state of the change committed last', async () => {
    const users = await Promise.all(Array.from({ length: 4 }, () => seedActiveUser(deps, admin.id)));
    await deps.jobs.idle();
    for (let round = 0; round < 3; round++) {
      await Promise.allSettled(
        users.flatMap((user) => [dismissUser(deps, admin.id, user.id, {}), rehireUser(deps, admin.id, user.id), dismissUser(deps, admin.id, user.id, {})]),
      );
    }
    await deps.jobs.idle();
    const { getUser } = await import('../../lib/data/users');
    for (const user of users) {
      const final = (await getUser(deps.table, user.id))!;
      expect(remoteOf(user)!.active, `${user.id} is ${final.status}`).toBe(final.status === 'active');
      expect((await accessOf(user)).state).toBe(final.status === 'active' ? 'provisioned' : 'deactivated');
    }
  });

  it('a sync repairs what was changed by hand (reactivated, renamed, deleted) and provisions who predates the connector', async () => {
    const [dismissed, renamed, deleted] = await Promise.all([seedActiveUser(deps, admin.id), seedActiveUser(deps, admin.id), seedActiveUser(deps, admin.id)]);
    await deps.jobs.idle();
    await dismissUser(deps, admin.id, dismissed.id, {});
    await deps.jobs.idle();
    scim.users.get(remoteOf(dismissed)!.id)!.active = true;
    scim.users.get(remoteOf(renamed)!.id)!.name = { givenName: 'Someone', familyName: 'Else' };
    scim.users.delete(remoteOf(deleted)!.id);
    const job = await startConnectorSync(deps, admin.id, connectorId);
    await deps.jobs.idle();
    const done = await getConnectorSyncJob(deps, admin.id, connectorId, job.id);
    // The three edited by hand, and the admin, active since before the connector existed.
    expect(done).toMatchObject({ status: 'completed', failed: 0, repaired: 4 });
    expect(remoteOf(admin)).toMatchObject({ active: true, userName: admin.loginEmail });
    expect(done.checked).toBeGreaterThanOrEqual(4);
    expect(remoteOf(dismissed)!.active).toBe(false);
    expect(remoteOf(renamed)!.name).toMatchObject({ givenName: renamed.firstName, familyName: renamed.lastName });
    expect(remoteOf(deleted)).toMatchObject({ active: true, userName: deleted.loginEmail });
    // A second run finds nothing to repair.
    const again = await startConnectorSync(deps, admin.id, connectorId);
    await deps.jobs.idle();
    expect(await getConnectorSyncJob(deps, admin.id, connectorId, again.id)).toMatchObject({ status: 'completed', repaired: 0, failed: 0 });
  });

  it('a sync resumes from its last step when a run dies mid-way, and a step run twice counts once', { timeout: 60_000 }, async () => {
    // More users than one step checks (25); seeded together, as seeding them is not what is tested.
    await Promise.all(Array.from({ length: 30 }, () => seedActiveUser(deps, admin.id)));
    await deps.jobs.idle();
    // No relay: what a step queues is lost, as when the process dies before its message is sent.
    const dying = { ...deps, table: { ...deps.table, relay: undefined } };
    const job = await startConnectorSync(dying, admin.id, connectorId);
    const [first, twin] = await Promise.all([runSyncStep(dying, job.id), runSyncStep(dying, job.id)]);
    expect(first!.checked + twin!.checked).toBeLessThanOrEqual(50);
    expect(await getConnectorSyncJob(deps, admin.id, connectorId, job.id)).toMatchObject({ status: 'running', checked: 25 });
    // The step it would have queued, run again (the message redelivered, or the job re-driven).
    await runSyncStep(dying, job.id);
    expect(await getConnectorSyncJob(deps, admin.id, connectorId, job.id)).toMatchObject({ status: 'completed', checked: 31, failed: 0 });
    expect(await runSyncStep(dying, job.id)).toMatchObject({ status: 'completed', checked: 31 });
  });

  it('a sync of a system that does not answer stops after five users in a row, saying why', async () => {
    for (let i = 0; i < 8; i++) await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    await scim.close();
    const job = await startConnectorSync(deps, admin.id, connectorId);
    await deps.jobs.idle();
    const ended = await getConnectorSyncJob(deps, admin.id, connectorId, job.id);
    expect(ended).toMatchObject({ status: 'failed', checked: 5, failed: 5 });
    expect(ended.failureReason).toMatch(/5 users in a row: .*could not reach the provider/);
    scim = await startScimServer();
  });

  it('keeps the token sealed, answers private targets with 400 in public mode, and stops when the connector is deleted', async () => {
    const dump = JSON.stringify((await deps.table.client.send(new ScanCommand({ TableName: deps.table.name }))).Items);
    expect(dump).not.toContain(scim.token);
    const publicDeps = { ...deps, events: { ...deps.events, targets: 'public' as const } };
    for (const baseUrl of ['http://scim.example.com/v2', 'https://10.0.0.8/scim', 'https://localhost/scim', 'https://169.254.169.254/latest']) {
      await expect(createConnector(publicDeps, admin.id, { kind: 'scim', name: 'X', baseUrl, token: 't' }), baseUrl).rejects.toMatchObject({
        code: 'invalid_request',
      });
    }
    await deleteConnector(deps, admin.id, connectorId);
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    expect(remoteOf(user)).toBeUndefined();
    expect((await userAccess(deps, admin.id, user.id)).items).toEqual([]);
  });

  it('a provider down for a while: failed meanwhile, applied once back; after 24 hours parked and flagged, a sync re-drives it', async () => {
    const user = await seedActiveUser(deps, admin.id);
    await deps.jobs.idle();
    const remoteId = remoteOf(user)!.id;
    for (let i = 0; i < 40; i++) scim.injectOnce({ status: 503, detail: 'maintenance' });
    await dismissUser(deps, admin.id, user.id, {});
    await deps.jobs.idle();
    expect(await accessOf(user)).toMatchObject({ state: 'failed', remoteId });
    // Retries back off to hours apart: the first attempt after 24 hours of failures parks the pair.
    for (let hour = 1; hour <= 30; hour++) {
      at(hour * HOUR);
      await runDue();
    }
    expect(scim.users.get(remoteId)!.active).toBe(true);
    expect(await accessOf(user)).toMatchObject({ state: 'failed', reason: expect.stringContaining('503') });
    const flagged = await getConnectorView(deps, admin.id, connectorId);
    expect(flagged).toMatchObject({ flagged: true });
    // Parked: the schedule no longer tries it.
    const before = scim.requests.length;
    for (const hour of [40, 60]) {
      at(hour * HOUR);
      await runDue();
    }
    expect(scim.requests.length).toBe(before);
    scim.clearInjected();
    const job = await startConnectorSync(deps, admin.id, connectorId);
    await deps.jobs.idle();
    expect(await getConnectorSyncJob(deps, admin.id, connectorId, job.id)).toMatchObject({ status: 'completed', failed: 0 });
    expect(scim.users.get(remoteId)!.active).toBe(false);
    expect(await accessOf(user)).toMatchObject({ state: 'deactivated', reason: null });
    expect((await getConnectorView(deps, admin.id, connectorId)).failingSince).toBeNull();
  });
});
