import type { ScimClient } from '../connectors/scim/client';
import type { ScimFailure } from '../connectors/scim/responses';
import { desiredFields, patchOperations, remoteFields } from '../connectors/scim/resource';
import { type Access, type Connector, fieldsDigest, wantedFor } from '../domain/connectors';
import { toUserView, type User } from '../domain/user';
import { getAccess, getConnector, getSyncJob, MAX_SYNC_FAILURES, putAccess, saveSyncJob, setConnectorFailing, type SyncJob } from '../data/connectors';
import { makeDueNow, releaseLease, takeLease, type Target } from '../data/delivery-pairs';
import { newId } from '../data/ids';
import { queueFollowUp } from '../data/outbox';
import { getUser, listUsers } from '../data/users';
import { logger } from '../logger';
import { defaultEventDelivery, type Deps } from '../runtime';
import { clientFor, queueProvision } from './provisioning';

/**
 * Reconciliation of one connector (POST /connectors/{id}/sync, docs/connectors.md): every user in
 * turn, a page per step. Each user's remote account is found by the stored remote id, else by
 * `userName`, read, and brought to what the directory says (re-created when deleted by hand for a
 * user who should have one, fields and `active` put back when edited by hand). A step commits its
 * counts and the cursor from the version it read, so a run killed mid-way resumes where the last
 * step ended and a page done twice changes nothing twice (every repair compares first).
 */

const PAGE = 25;

/** `systemic`: the connected system itself failed (unreachable, throttling, the token refused), not this user. */
type Reconciled = { outcome: 'ok' | 'repaired' } | { outcome: 'failed'; reason: string; systemic?: boolean };

/** This many users in a row failing for the system's own reasons end the job: no point asking it for every user. */
const GIVE_UP_AFTER = 5;

/** One user against one connected system, holding that pair's lease so no provisioning runs meanwhile. */
export async function reconcileUser(deps: Deps, client: ScimClient, connector: Connector, userId: string): Promise<Reconciled> {
  const target: Target = { kind: 'connector', id: connector.id };
  const owner = newId();
  const leaseMs = deps.events?.leaseMs ?? defaultEventDelivery.leaseMs;
  const lease = () => takeLease(deps.table, target, userId, { owner, until: new Date(deps.clock().getTime() + leaseMs).toISOString() }, deps.clock());
  let taken = await lease();
  // Held by a worker applying a change (or a twin run of this step): that takes a moment.
  for (let wait = 1; taken === 'busy' && wait <= 5; wait++) {
    await new Promise((resolve) => setTimeout(resolve, 40 * wait));
    taken = await lease();
  }
  // Parked, or waiting for a retry: a sync is the admin's "try again now" for that pair too.
  if (taken === 'waiting' && (await makeDueNow(deps.table, target, userId, deps.clock()))) taken = await lease();
  if (taken === 'busy') return { outcome: 'failed', reason: 'being provisioned at the same moment: not reconciled in this run' };
  if (taken === 'waiting') return { outcome: 'failed', reason: 'an earlier failure is waiting for its retry (see the access state)' };
  try {
    const user = await getUser(deps.table, userId);
    if (!user) return { outcome: 'ok' };
    const access = await getAccess(deps.table, userId, connector.id);
    const result = await reconcile(client, connector, user, access, deps.clock());
    if (result.access) await putAccess(deps.table, result.access);
    return result.reconciled;
  } finally {
    // A change committed meanwhile asked for the pair: give it its turn now.
    if ((await releaseLease(deps.table, target, userId, owner)) === 'again') await queueProvision(deps, connector.id, userId);
  }
}

async function reconcile(
  client: ScimClient,
  connector: Connector,
  user: User,
  access: Access | undefined,
  now: Date,
): Promise<{ reconciled: Reconciled; access?: Access }> {
  const at = now.toISOString();
  const wanted = wantedFor(toUserView(user));
  const base: Access = access ?? {
    connectorId: connector.id,
    userId: user.id,
    state: 'pending',
    remoteId: null,
    reason: null,
    updatedAt: at,
    appliedDigest: null,
    appliedActive: null,
  };
  const failed = (failure: string | ScimFailure) => {
    const reason = typeof failure === 'string' ? failure : failure.reason;
    const systemic = typeof failure !== 'string' && (failure.outcome === 'retryLater' || failure.outcome === 'unauthorized');
    return { reconciled: { outcome: 'failed' as const, reason, systemic }, access: { ...base, state: 'failed' as const, reason, updatedAt: at } };
  };

  if (wanted.kind === 'removed') {
    if (!base.remoteId || base.state === 'deprovisioned') return { reconciled: { outcome: 'ok' } };
    const removed = await client.deprovision(base.remoteId);
    if (removed.outcome !== 'ok') return failed(removed);
    return {
      reconciled: { outcome: removed.value.result === 'absent' ? 'ok' : 'repaired' },
      access: { ...base, state: 'deprovisioned', reason: null, updatedAt: at, appliedDigest: null, appliedActive: null },
    };
  }
  if (wanted.kind === 'none') return { reconciled: { outcome: 'ok' } };

  // The account: by the remote id recorded, else by the login (one made by hand, or whose creation's answer was lost).
  let account = null;
  if (base.remoteId) {
    const found = await client.find(base.remoteId);
    if (found.outcome === 'ok') account = found.value;
    else if (found.outcome !== 'gone') return failed(found);
  }
  if (!account) {
    const byName = await client.findByUserName(user.loginEmail);
    if (byName.outcome !== 'ok') return failed(byName);
    if (byName.value?.externalId && byName.value.externalId !== user.id) {
      return failed(`the account holding ${user.loginEmail} there (${byName.value.remoteId}) belongs to directory user ${byName.value.externalId}`);
    }
    account = byName.value;
  }
  const holder = wanted.user;
  const synced = (remoteId: string, outcome: 'ok' | 'repaired') => ({
    reconciled: { outcome },
    access: {
      ...base,
      state: wanted.active ? ('provisioned' as const) : ('deactivated' as const),
      remoteId,
      reason: null,
      updatedAt: at,
      appliedDigest: fieldsDigest(holder),
      appliedActive: wanted.active,
    },
  });
  if (!account) {
    if (!wanted.active) {
      const gone = base.remoteId !== null;
      return {
        reconciled: { outcome: 'ok' },
        access: {
          ...base,
          state: 'deprovisioned',
          remoteId: null,
          reason: gone ? 'deleted in the connected system' : 'no account: the user is not active',
          updatedAt: at,
          appliedDigest: null,
          appliedActive: null,
        },
      };
    }
    const created = await client.provision(holder);
    if (created.outcome !== 'ok') return failed(created);
    return synced(created.value.account.remoteId, 'repaired');
  }
  if (patchOperations(remoteFields(account.resource), desiredFields(holder)).length === 0) {
    return synced(account.remoteId, base.remoteId === account.remoteId && base.state !== 'failed' ? 'ok' : 'repaired');
  }
  const updated = await client.update(account.remoteId, holder);
  if (updated.outcome !== 'ok') return failed(updated);
  return synced(account.remoteId, 'repaired');
}

/** One step of a sync job: a page of users; queues the next step until every user was seen. */
export async function runSyncStep(deps: Deps, jobId: string, _options: { shouldYield?: () => boolean } = {}): Promise<SyncJob | undefined> {
  const job = await getSyncJob(deps.table, jobId);
  if (!job || job.status === 'completed' || job.status === 'failed') return job;
  const at = () => deps.clock().toISOString();
  const connector = await getConnector(deps.table, job.connectorId);
  if (!connector) {
    const ended: SyncJob = { ...job, status: 'failed', failureReason: 'the connector was deleted', updatedAt: at(), finishedAt: at(), cursor: null };
    await saveSyncJob(deps.table, ended, job.version);
    return ended;
  }
  const client = await clientFor(deps, connector);
  const page = await listUsers(deps.table, { limit: PAGE, cursor: job.cursor ?? undefined });
  const next: SyncJob = { ...job, status: 'running', failures: [...job.failures] };
  let systemicInARow = 0;
  for (const user of page.items) {
    const result = await reconcileUser(deps, client, connector, user.id);
    next.checked++;
    if (result.outcome === 'repaired') next.repaired++;
    if (result.outcome === 'failed') {
      next.failed++;
      if (next.failures.length < MAX_SYNC_FAILURES) next.failures.push({ userId: user.id, reason: result.reason });
    }
    systemicInARow = result.outcome === 'failed' && result.systemic ? systemicInARow + 1 : 0;
    if (systemicInARow >= GIVE_UP_AFTER) {
      const ended: SyncJob = {
        ...next,
        status: 'failed',
        failureReason: `the connected system failed for ${GIVE_UP_AFTER} users in a row: ${result.outcome === 'failed' ? result.reason : ''}`,
        cursor: null,
        updatedAt: at(),
        finishedAt: at(),
      };
      return (await saveSyncJob(deps.table, ended, job.version)) ? { ...ended, version: job.version + 1 } : getSyncJob(deps.table, jobId);
    }
  }
  // Reached and answered: the connector is healthy again.
  if (connector.failingSince && next.checked - job.checked > next.failed - job.failed) await setConnectorFailing(deps.table, connector.id, null);
  next.cursor = page.nextCursor ?? null;
  next.updatedAt = at();
  if (!next.cursor) {
    next.status = 'completed';
    next.finishedAt = next.updatedAt;
  }
  if (!(await saveSyncJob(deps.table, next, job.version))) {
    logger.info('sync step already taken by another run', { jobId });
    return getSyncJob(deps.table, jobId);
  }
  if (next.cursor) await queueFollowUp(deps.table, { type: 'connectorSync', jobId }, deps.clock());
  return { ...next, version: job.version + 1 };
}
