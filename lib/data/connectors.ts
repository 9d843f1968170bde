import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Access, Connector } from '../domain/connectors';
import { type TableRef, conditionFailed } from './client';
import { queryPartition, type Page } from './pagination';
import type { TxOp } from './transaction';
import { batchGetItems, itemId } from './items';
import { eventKeys } from './events';
import type { LifecycleEvent } from '../domain/events';

/**
 * Connectors (rule 14, docs/connectors.md):
 * - the connectors share one small partition, listed with a Query;
 * - per user and connector, an access item in the user's partition (GET /users/{id}/access is one
 *   Query), written by whoever holds that pair's lease (lib/data/delivery-pairs.ts);
 * - per sync job, one item: its resume point (a cursor over the users) and its counts.
 */
export const connectorKeys = {
  connector: (id: string) => ({ pk: 'CONNECTORS', sk: `CONNECTOR#${id}` }),
  connectorsPrefix: () => ({ pk: 'CONNECTORS', skPrefix: 'CONNECTOR#' }),
  access: (userId: string, connectorId: string) => ({ pk: `USER#${userId}`, sk: `ACCESS#${connectorId}` }),
  accessPrefix: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'ACCESS#' }),
  syncJob: (id: string) => ({ pk: `SYNCJOB#${id}`, sk: 'SYNCJOB' }),
};

function itemToConnector(item: Record<string, unknown>): Connector {
  return {
    id: String(item.id),
    kind: 'scim',
    name: String(item.name),
    baseUrl: String(item.baseUrl),
    sealedToken: String(item.sealedToken),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
    failingSince: (item.failingSince as string | null | undefined) ?? null,
  };
}

/** Put in the transaction that audits the change: a new connector (never over another). */
export function connectorPut(connector: Connector): TxOp {
  return {
    item: {
      Put: {
        Item: { ...connectorKeys.connector(connector.id), entity: 'connector', ...connector, failingSince: connector.failingSince ?? undefined },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

export function connectorDelete(connector: Connector): TxOp {
  return { item: { Delete: { Key: connectorKeys.connector(connector.id), ConditionExpression: 'attribute_exists(pk)' } } };
}

export async function getConnector(table: TableRef, id: string): Promise<Connector | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: connectorKeys.connector(id), ConsistentRead: true }));
  return Item ? itemToConnector(Item) : undefined;
}

/** Access pattern: the connectors, oldest first, a page at a time. */
export async function listConnectors(table: TableRef, limit: number, cursor?: string): Promise<Page<Connector>> {
  const page = await queryPartition(table, { ...connectorKeys.connectorsPrefix(), limit, cursor });
  return { items: page.items.map(itemToConnector), nextCursor: page.nextCursor };
}

/** Every connector (the fan-out and the access route read them all; there are few). */
export async function allConnectors(table: TableRef): Promise<Connector[]> {
  const all: Connector[] = [];
  let cursor: string | undefined;
  do {
    const page = await listConnectors(table, 100, cursor);
    all.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** Marks a connector failing (from the first failure on) or healthy again; a deleted one stays deleted. */
export async function setConnectorFailing(table: TableRef, id: string, since: string | null): Promise<void> {
  try {
    await table.client.send(
      new UpdateCommand({
        TableName: table.name,
        Key: connectorKeys.connector(id),
        UpdateExpression: since ? 'SET failingSince = if_not_exists(failingSince, :since)' : 'REMOVE failingSince',
        ConditionExpression: since ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND attribute_exists(failingSince)',
        ...(since ? { ExpressionAttributeValues: { ':since': since } } : {}),
      }),
    );
  } catch (error) {
    if (!conditionFailed(error)) throw error;
  }
}

function itemToAccess(item: Record<string, unknown>): Access {
  return {
    connectorId: String(item.connectorId),
    userId: String(item.userId),
    state: item.state as Access['state'],
    remoteId: (item.remoteId as string | null | undefined) ?? null,
    reason: (item.reason as string | null | undefined) ?? null,
    updatedAt: String(item.updatedAt),
    appliedDigest: (item.appliedDigest as string | null | undefined) ?? null,
    appliedActive: (item.appliedActive as boolean | null | undefined) ?? null,
  };
}

export async function getAccess(table: TableRef, userId: string, connectorId: string): Promise<Access | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: connectorKeys.access(userId, connectorId), ConsistentRead: true }));
  return Item ? itemToAccess(Item) : undefined;
}

/**
 * What a provisioning step reads, when it knows which event it is for: the connector, the user's
 * access item, that event and whether a later one exists, in one BatchGetItem (strongly consistent).
 */
export async function readForProvisioning(
  table: TableRef,
  connectorId: string,
  userId: string,
  sequence: number,
): Promise<{ connector: Connector | undefined; access: Access | undefined; event: LifecycleEvent | undefined; newer: boolean }> {
  const keys = {
    connector: connectorKeys.connector(connectorId),
    access: connectorKeys.access(userId, connectorId),
    event: eventKeys.event(userId, sequence),
    // Whether a later event exists: then that one, not this, is the state to apply.
    next: eventKeys.event(userId, sequence + 1),
  };
  const found = await batchGetItems(table, Object.values(keys));
  const connector = found.get(itemId(keys.connector));
  const access = found.get(itemId(keys.access));
  const event = found.get(itemId(keys.event));
  return {
    connector: connector ? itemToConnector(connector) : undefined,
    access: access ? itemToAccess(access) : undefined,
    event: event ? (event.event as LifecycleEvent) : undefined,
    newer: found.has(itemId(keys.next)),
  };
}

/** Records where a user's account stands in one connected system (by the pair's lease holder). */
export async function putAccess(table: TableRef, access: Access): Promise<void> {
  await table.client.send(
    new PutCommand({ TableName: table.name, Item: { ...connectorKeys.access(access.userId, access.connectorId), entity: 'access', ...access } }),
  );
}

/** Access pattern: a user's access items, one per connector that has handled them. */
export async function listAccess(table: TableRef, userId: string): Promise<Access[]> {
  const all: Access[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': connectorKeys.accessPrefix(userId).pk, ':prefix': connectorKeys.accessPrefix(userId).skPrefix },
        ConsistentRead: true,
        ExclusiveStartKey,
      }),
    );
    all.push(...(page.Items ?? []).map(itemToAccess));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return all;
}

/** A reconciliation of one connector with every user (POST /connectors/{id}/sync). */
export type SyncJob = {
  id: string;
  type: 'connectorSync';
  connectorId: string;
  actorId: string;
  status: 'pending' | 'running' | 'completed' | 'failed';
  /** Users looked at, accounts changed to match, users that could not be reconciled. */
  checked: number;
  repaired: number;
  failed: number;
  /** The first failures (at most {@link MAX_SYNC_FAILURES}), with their reasons. */
  failures: { userId: string; reason: string }[];
  failureReason: string | null;
  /** Where the next step resumes in the list of users; null before the first and when done. */
  cursor: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  version: number;
};

export const MAX_SYNC_FAILURES = 20;

function itemToSyncJob(item: Record<string, unknown>): SyncJob {
  const { pk: _pk, sk: _sk, entity: _entity, ...job } = item;
  return job as unknown as SyncJob;
}

export function syncJobPut(job: SyncJob): TxOp {
  return { item: { Put: { Item: { ...connectorKeys.syncJob(job.id), entity: 'syncJob', ...job }, ConditionExpression: 'attribute_not_exists(pk)' } } };
}

export async function getSyncJob(table: TableRef, id: string): Promise<SyncJob | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: connectorKeys.syncJob(id), ConsistentRead: true }));
  return Item ? itemToSyncJob(Item) : undefined;
}

/** Saves a step's progress, only from the version read (two runners never both count a page). False: someone else moved it. */
export async function saveSyncJob(table: TableRef, job: SyncJob, readVersion: number): Promise<boolean> {
  try {
    await table.client.send(
      new PutCommand({
        TableName: table.name,
        Item: { ...connectorKeys.syncJob(job.id), entity: 'syncJob', ...job, version: readVersion + 1 },
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: { ':version': readVersion },
      }),
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}
