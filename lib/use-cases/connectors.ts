import {
  type AccessView,
  checkConnectorUrl,
  connectorTokenPurpose,
  createConnectorSchema,
  createConnector as decideCreate,
  deleteConnector as decideDelete,
  startSync as decideSync,
  toConnectorView,
  type ConnectorView,
} from '../domain/connectors';
import { NotFound } from '../domain/errors';
import { validate } from '../domain/validate';
import type { z } from '../zod';
import { commit } from '../data/commit';
import {
  allConnectors,
  connectorDelete,
  connectorPut,
  getConnector,
  getSyncJob,
  listAccess,
  listConnectors as queryConnectors,
  syncJobPut,
  type SyncJob,
} from '../data/connectors';
import { outboxPut } from '../data/outbox';
import type { Page } from '../data/pagination';
import type { Deps } from '../runtime';
import { contextOf, readAsAdmin } from './steps';

/**
 * The admin routes of connectors (rule 14, docs/connectors.md). Each change commits with its
 * audit entry (rule 11) in one transaction; the token is sealed before it is stored and is in no
 * answer, view, audit entry, event or log line.
 */

const targetsOf = (deps: Deps) => deps.events?.targets ?? 'public';

export async function createConnector(deps: Deps, actorId: string, request: z.input<typeof createConnectorSchema>): Promise<ConnectorView> {
  const command = validate(createConnectorSchema, request);
  await readAsAdmin(deps, actorId);
  checkConnectorUrl(command.baseUrl, targetsOf(deps));
  const context = contextOf(deps, actorId, 'admin');
  const id = context.newId();
  const sealedToken = await deps.secretBox.seal(command.token, connectorTokenPurpose(id));
  const { connector, change } = decideCreate(command, targetsOf(deps), context, { id, sealedToken });
  await commit(deps.table, change, [connectorPut(connector)]);
  return toConnectorView(connector, deps.clock());
}

export async function listConnectors(deps: Deps, actorId: string, limit: number, cursor?: string): Promise<Page<ConnectorView>> {
  await readAsAdmin(deps, actorId);
  const page = await queryConnectors(deps.table, limit, cursor);
  const now = deps.clock();
  return { items: page.items.map((c) => toConnectorView(c, now)), nextCursor: page.nextCursor };
}

async function existingConnector(deps: Deps, id: string) {
  const connector = await getConnector(deps.table, id);
  if (!connector) throw new NotFound('connector', id);
  return connector;
}

export async function getConnectorView(deps: Deps, actorId: string, id: string): Promise<ConnectorView> {
  await readAsAdmin(deps, actorId);
  return toConnectorView(await existingConnector(deps, id), deps.clock());
}

/** Removes a connector: nothing more is sent to that system (each run reads it first); its accounts there stay as they are. */
export async function deleteConnector(deps: Deps, actorId: string, id: string): Promise<void> {
  await readAsAdmin(deps, actorId);
  const connector = await existingConnector(deps, id);
  await commit(deps.table, decideDelete(connector, contextOf(deps, actorId, 'admin')), [connectorDelete(connector)]);
}

export type SyncJobView = Omit<SyncJob, 'actorId' | 'cursor' | 'version'>;

export function toSyncJobView(job: SyncJob): SyncJobView {
  return {
    id: job.id,
    type: job.type,
    connectorId: job.connectorId,
    status: job.status,
    checked: job.checked,
    repaired: job.repaired,
    failed: job.failed,
    failures: job.failures,
    failureReason: job.failureReason,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

/** Starts a reconciliation of every user with that system: the job, its first step queued in the same transaction. */
export async function startConnectorSync(deps: Deps, actorId: string, id: string): Promise<SyncJobView> {
  await readAsAdmin(deps, actorId);
  const connector = await existingConnector(deps, id);
  const context = contextOf(deps, actorId, 'admin');
  const at = context.now.toISOString();
  const job: SyncJob = {
    id: context.newId(),
    type: 'connectorSync',
    connectorId: connector.id,
    actorId,
    status: 'pending',
    checked: 0,
    repaired: 0,
    failed: 0,
    failures: [],
    failureReason: null,
    cursor: null,
    createdAt: at,
    updatedAt: at,
    finishedAt: null,
    version: 0,
  };
  await commit(deps.table, decideSync(connector, job.id, context), [syncJobPut(job), outboxPut({ type: 'connectorSync', jobId: job.id }, context.now)]);
  return toSyncJobView(job);
}

export async function getConnectorSyncJob(deps: Deps, actorId: string, id: string, jobId: string): Promise<SyncJobView> {
  await readAsAdmin(deps, actorId);
  const job = await getSyncJob(deps.table, jobId);
  if (!job || job.connectorId !== id) throw new NotFound('sync job', `${id}/${jobId}`);
  return toSyncJobView(job);
}

/** Where a user's accounts stand, one item per connector (`pending` where nothing was applied yet). */
export async function userAccess(deps: Deps, actorId: string, userId: string): Promise<{ items: AccessView[] }> {
  const read = await readAsAdmin(deps, actorId, { userIds: [userId] });
  read.user(userId);
  const [connectors, access] = await Promise.all([allConnectors(deps.table), listAccess(deps.table, userId)]);
  const byConnector = new Map(access.map((a) => [a.connectorId, a]));
  return {
    items: connectors.map((connector) => {
      const found = byConnector.get(connector.id);
      return {
        connectorId: connector.id,
        connectorName: connector.name,
        state: found?.state ?? 'pending',
        remoteId: found?.remoteId ?? null,
        reason: found ? found.reason : 'not applied yet',
        updatedAt: found?.updatedAt ?? null,
      };
    }),
  };
}
