import { activeAdminDelta } from '../domain/admins';
import { auditRecords } from '../domain/audit';
import { lifecycleEvents } from '../domain/events';
import { eventPut } from './events';
import type { Change, Effect } from '../domain/change';
import { addressClaimChanges, externalIdChanges } from '../domain/claims';
import { EmailInUse, ExternalIdInUse, InvalidRequest, InvalidState, LastAdmin, NotFound, WorkgroupNameInUse } from '../domain/errors';
import type { User } from '../domain/user';
import { auditPut } from './audit';
import type { TableRef } from './client';
import { emailClaimItem, externalIdClaimItem } from './claims';
import { workgroupNameClaimItem, workgroupToItem } from './workgroups';
import { newId } from './ids';
import { jobToItem } from './jobs';
import { keys, workIndexAttributes } from './keys';
import { outboxPut } from './outbox';
import { consumePending, discardPending, putPending, storeTokenHash } from './pending-tokens';
import { StaleWrite, transactWrite, type TxOp } from './transaction';
import { activeAdminGuard, getUser, userGuard, userToItem } from './users';
import { openWorkDelta, workToItem } from './work';
import { searchTermOps } from './search';

/**
 * THE commit step: turns a decided change into ONE TransactWriteItems, the only way users change.
 * 1. the acting admin is still an active admin (unless they are among the changed users, whose
 *    own version guard pins them);
 * 2. each user item is written on condition that it is still the version the decision read;
 * 3. each address whose holder or roles change gets its claim put or deleted, conditioned on the
 *    claim being exactly as the decision read it (absent, or held by that user), so no two users
 *    ever hold one address (rule 2); the same for external ids; the user's search terms follow
 *    its names and addresses;
 * 4. the count of active admins moves with every user who becomes or stops being one, and may
 *    not drop below one (rule 10);
 * 5. the change's effects (pending requests, follow-up work in the outbox, workgroup checks, work
 *    items), then `extraOps` a caller adds (an HR event's settlement);
 * 6. the audit entries, one shape for all (rule 11), and one lifecycle event per user rewritten,
 *    numbered by the user's new version (rule 13), with the outbox message that delivers it.
 * Returns the users as stored.
 */
export async function commit(table: TableRef, change: Change, extraOps: TxOp[] = []): Promise<User[]> {
  const at = change.at.toISOString();
  const befores = change.users.map((u) => u.before);
  const stored = change.users.map(({ before, after }) => ({ ...after, version: (before?.version ?? 0) + 1, updatedAt: at }));
  const changedIds = new Set(stored.map((user) => user.id));
  // An actor among the changed users is already pinned by their own version guard.
  const guardActor = change.asAdmin && change.actorId !== null && !changedIds.has(change.actorId);
  const ops: TxOp[] = [
    ...(guardActor ? [activeAdminGuard(change.actorId!)] : []),
    ...change.users.map((userChange, i) => userPut(stored[i]!, userChange.before)),
    ...claimOps(table, befores, stored, at),
    ...externalIdOps(befores, stored, at),
    ...searchTermOps(befores, stored),
    ...activeAdminCountOps(befores, stored),
    ...change.effects.flatMap((effect) => effectOps(effect, change, guardActor ? change.actorId : null)),
    ...extraOps,
    ...auditRecords(change, stored, newId).map(auditPut),
    // Each event, and the message that has it delivered to the subscriptions (docs/events.md).
    ...lifecycleEvents(change, stored, newId).flatMap((event) => [
      eventPut(event),
      outboxPut({ type: 'events', userId: event.data.userId, eventType: event.type, sequence: event.data.sequence }, change.at),
    ]),
  ];
  await transactWrite(table, ops);
  return stored;
}

function userPut(user: User, before: User | null): TxOp {
  return {
    item: {
      Put: {
        Item: userToItem(user),
        ConditionExpression: before ? '#version = :version' : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: before ? { '#version': 'version' } : undefined,
        ExpressionAttributeValues: before ? { ':version': before.version } : undefined,
      },
    },
    onConditionFailed: () => new StaleWrite(`user ${user.id}`),
  };
}

function claimOps(table: TableRef, befores: (User | null)[], afters: User[], at: string): TxOp[] {
  return addressClaimChanges(befores, afters).map(({ address, was, will }): TxOp => {
    const condition = was
      ? { ConditionExpression: 'userId = :holder', ExpressionAttributeValues: { ':holder': was.userId } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const onConditionFailed = async (old: Record<string, unknown> | undefined) => {
      if (!old) return new StaleWrite(`claim on ${address}`);
      const holder = await getUser(table, String(old.userId));
      return holder
        ? new EmailInUse(address, old.roles as ('login' | 'contact')[], { id: holder.id, status: holder.status, type: holder.type })
        : new StaleWrite(`claim on ${address}`);
    };
    return will
      ? { item: { Put: { Item: emailClaimItem(address, will, at), ...condition } }, onConditionFailed }
      : { item: { Delete: { Key: keys.emailClaim(address), ...condition } }, onConditionFailed };
  });
}

function externalIdOps(befores: (User | null)[], afters: User[], at: string): TxOp[] {
  return externalIdChanges(befores, afters).flatMap(({ userId, was, will }): TxOp[] => [
    ...(was
      ? [
          {
            item: { Delete: { Key: keys.externalIdClaim(was), ConditionExpression: 'userId = :id', ExpressionAttributeValues: { ':id': userId } } },
            onConditionFailed: () => new StaleWrite(`external id ${was}`),
          },
        ]
      : []),
    ...(will
      ? [
          {
            item: { Put: { Item: externalIdClaimItem(will, userId, at), ConditionExpression: 'attribute_not_exists(pk)' } },
            onConditionFailed: (old: Record<string, unknown> | undefined) => new ExternalIdInUse(will, String(old?.userId ?? 'unknown')),
          },
        ]
      : []),
  ]);
}

/**
 * One counter for the whole directory. The condition is evaluated on the committed count, so two
 * changes removing admins at once cannot both leave it at zero.
 */
function activeAdminCountOps(befores: (User | null)[], afters: User[]): TxOp[] {
  const { delta, leaving } = activeAdminDelta(befores, afters);
  if (delta === 0) return [];
  const values = { ':delta': delta, ...(delta < 0 ? { ':needed': 1 - delta } : {}) };
  return [
    {
      item: {
        Update: {
          Key: keys.activeAdmins(),
          UpdateExpression: 'ADD activeAdmins :delta',
          ...(delta < 0 ? { ConditionExpression: 'activeAdmins >= :needed' } : {}),
          ExpressionAttributeValues: values,
        },
      },
      onConditionFailed: () => new LastAdmin(leaving),
    },
  ];
}

/** What each effect writes or checks; `guardedActor` already has a ConditionCheck in this transaction. */
function effectOps(effect: Effect, change: Change, guardedActor: string | null): TxOp[] {
  switch (effect.type) {
    case 'handover':
      return [
        { item: { Put: { Item: jobToItem(effect.job), ConditionExpression: 'attribute_not_exists(pk)' } } },
        outboxPut({ type: 'handover', jobId: effect.job.id }, change.at),
      ];
    case 'storePending':
      return [putPending(effect.pending)];
    case 'mailLink':
      return [outboxPut({ type: 'mail', kind: effect.kind, userId: effect.userId, requestId: effect.requestId }, change.at)];
    case 'dropPending':
      return [discardPending(effect.kind, effect.userId)];
    case 'addLink':
      return [storeTokenHash(effect, effect.tokenHash, change.at)];
    case 'requireInvitedAt':
      return [
        userGuard(
          effect.userId,
          '#status = :invited AND loginEmail = :to',
          { ':invited': 'invited', ':to': effect.loginEmail },
          () => new StaleWrite('the invited user'),
        ),
      ];
    case 'consumePending':
      return [consumePending(effect.kind, effect.userId, effect.tokenHash, change.at)];
    case 'requireWorkgroup':
      return [workgroupCheck(effect)];
    case 'createWorkgroup': {
      const { workgroup } = effect;
      return [
        { item: { Put: { Item: workgroupToItem(workgroup), ConditionExpression: 'attribute_not_exists(pk)' } } },
        {
          item: { Put: { Item: workgroupNameClaimItem(workgroup), ConditionExpression: 'attribute_not_exists(pk)' } },
          onConditionFailed: (old) => new WorkgroupNameInUse(workgroup.name, String(old?.workgroupId ?? 'unknown')),
        },
      ];
    }
    case 'createWork': {
      const { work } = effect;
      // The check conflicts with a dismissal committing at the same moment: work lands before it
      // (and its handover takes it) or is refused. An admin assigning work to themselves is
      // covered by their own guard (active, so not dismissed); DynamoDB refuses two checks on one item.
      const responsible =
        work.responsibleId === guardedActor
          ? []
          : [
              userGuard(work.responsibleId, 'attribute_exists(pk) AND #status <> :dismissed', { ':dismissed': 'dismissed' }, (old) =>
                old
                  ? new InvalidState(`User ${work.responsibleId} is dismissed; assign the work to a current user`)
                  : new InvalidRequest([{ path: 'responsibleId', message: `user ${work.responsibleId} does not exist` }]),
              ),
            ];
      return [
        ...responsible,
        { item: { Put: { Item: workToItem(work), ConditionExpression: 'attribute_not_exists(pk)' } } },
        openWorkDelta(work.responsibleId, { [work.kind]: 1 }),
      ];
    }
    case 'closeWork': {
      const { work, at } = effect;
      const closed = { ...work, state: 'closed' as const, updatedAt: at };
      return [
        {
          item: {
            Update: {
              Key: keys.work(work.id),
              UpdateExpression: 'SET #state = :closed, gsi3sk = :sk, updatedAt = :at',
              ConditionExpression: '#state = :open AND responsibleId = :responsible',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: {
                ':closed': 'closed',
                ':open': 'open',
                ':responsible': work.responsibleId,
                ':sk': workIndexAttributes(closed).gsi3sk,
                ':at': at,
              },
            },
          },
          // Handed over meanwhile: re-read and close from the new owner.
          onConditionFailed: (old) =>
            old?.state === 'open' ? new StaleWrite(`${work.kind} ${work.id}`) : new InvalidState(`${work.kind} ${work.id} is already closed`),
        },
        openWorkDelta(work.responsibleId, { [work.kind]: -1 }),
      ];
    }
    case 'note':
      return [];
  }
}

/**
 * The workgroup exists (and is an extranet one, for extranet members) at the moment the change
 * is written, not merely when we last looked. Named in a command field: 400 on that field; the
 * resource addressed: 404, or 409 for the wrong kind.
 */
function workgroupCheck({ workgroupId, extranet, field }: Extract<Effect, { type: 'requireWorkgroup' }>): TxOp {
  const wrongKind = `workgroup ${workgroupId} is not an extranet workgroup; extranet users may join only extranet workgroups`;
  return {
    item: {
      ConditionCheck: {
        Key: keys.workgroup(workgroupId),
        ConditionExpression: extranet ? 'attribute_exists(pk) AND extranet = :true' : 'attribute_exists(pk)',
        ...(extranet ? { ExpressionAttributeValues: { ':true': true } } : {}),
      },
    },
    onConditionFailed: (old) => {
      if (field) return new InvalidRequest([{ path: field, message: old ? wrongKind : `workgroup ${workgroupId} does not exist` }]);
      return old ? new InvalidState(`W${wrongKind.slice(1)}`) : new NotFound('workgroup', workgroupId);
    },
  };
}
