import type { AuditEntry } from '../domain/audit';
import { diffFields } from '../domain/audit';
import { EmailInUse, ExternalIdInUse, LastAdmin } from '../domain/errors';
import { addressesOf, isActiveAdmin, rolesOf, toUserView, type User } from '../domain/user';
import type { TableRef } from './client';
import type { EmailClaim } from './claims';
import { newId } from './ids';
import { keys } from './keys';
import { auditPut } from './audit';
import { StaleWrite, transactWrite, type TxOp } from './transaction';
import { activeAdminGuard, getUser, userToItem } from './users';

/** One user's change: `before` is what the caller read (null for a new user). */
export type UserChange = {
  before: User | null;
  after: User;
  action: string;
  details?: Record<string, unknown>;
  /** Audit which fields changed but not their values (an anonymisation must not copy the data it erases). */
  redactAudit?: boolean;
};

export type CommitInput = {
  actorId: string | null;
  /**
   * Set when the actor acts as an admin: the transaction then also checks that the actor is
   * still an active admin, so rights revoked (or two admins dismissing each other) mid-request
   * cannot let the change through.
   */
  asAdmin?: boolean;
  at: Date;
  changes: UserChange[];
  /** Further writes of the same change (tokens, ...), placed after the guards. */
  extraOps?: TxOp[];
};

/**
 * Commits a change to one or more users as ONE TransactWriteItems, the only way users change:
 * 1. each user item is written on condition that it is still the version the caller read;
 * 2. each address whose holder or roles change gets its claim put or deleted, conditioned on the
 *    claim being exactly as the `before` users say (absent, or held by that user), so no two
 *    users can ever hold one address, dismissed or not;
 * 3. the same for external ids;
 * 4. the count of active admins moves with every user who becomes or stops being one, and may
 *    not drop below one (rule 10), whatever triggered the change;
 * 5. the caller's extra writes, then one audit entry per user.
 * Before anything is sent, the changed users' new states must not share an address: that would
 * be two holders for one claim.
 * Returns the users as stored.
 */
export async function commitUserChanges(table: TableRef, input: CommitInput): Promise<User[]> {
  const at = input.at.toISOString();
  const stored = input.changes.map(({ before, after }) => ({
    ...after,
    version: (before?.version ?? 0) + 1,
    updatedAt: at,
  }));
  const changedIds = new Set(stored.map((user) => user.id));
  // An actor among the changed users is already pinned by their own version guard.
  const guardActor = input.asAdmin && input.actorId && !changedIds.has(input.actorId);
  const ops: TxOp[] = [
    ...(guardActor ? [activeAdminGuard(input.actorId!)] : []),
    ...input.changes.map((change, i) => userPut(stored[i]!, change.before)),
    ...claimOps(table, input.changes.map((c) => c.before), stored, at),
    ...externalIdOps(input.changes.map((c) => c.before), stored, at),
    ...activeAdminCountOps(input.changes.map((c) => c.before), stored),
    ...(input.extraOps ?? []),
    ...input.changes.map((change, i) => auditPut(auditEntry(input.actorId, change, stored[i]!, at))),
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

type Holding = { userId: string; roles: ('login' | 'contact')[] };

/**
 * Who holds which address among some users. For the new states, two users holding one address
 * is refused: the 409 names whoever held it before the change (else the first claimant).
 */
function holdings(users: (User | null)[], previous?: Map<string, Holding>): Map<string, Holding> {
  const held = new Map<string, Holding>();
  for (const user of users) {
    if (!user) continue;
    for (const address of addressesOf(user)) {
      const other = held.get(address);
      if (other && other.userId !== user.id) {
        const holderId = previous?.get(address)?.userId ?? other.userId;
        const holder = users.find((u) => u?.id === holderId)!;
        throw new EmailInUse(address, rolesOf(holder, address), { id: holder.id, status: holder.status, type: holder.type });
      }
      held.set(address, { userId: user.id, roles: rolesOf(user, address) });
    }
  }
  return held;
}

function claimOps(table: TableRef, befores: (User | null)[], afters: User[], at: string): TxOp[] {
  const before = holdings(befores);
  const after = holdings(afters, before);
  const ops: TxOp[] = [];
  for (const address of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(address);
    const will = after.get(address);
    if (was && will && was.userId === will.userId && was.roles.join() === will.roles.join()) continue;
    const condition = was
      ? { ConditionExpression: 'userId = :holder', ExpressionAttributeValues: { ':holder': was.userId } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    const onConditionFailed = async (old: Record<string, unknown> | undefined) => {
      if (!old) return new StaleWrite(`claim on ${address}`);
      const claim = { userId: String(old.userId), roles: old.roles as EmailClaim['roles'] };
      const holder = await getUser(table, claim.userId);
      return holder ? new EmailInUse(address, claim.roles, { id: holder.id, status: holder.status, type: holder.type }) : new StaleWrite(`claim on ${address}`);
    };
    ops.push(
      will
        ? {
            item: {
              Put: {
                                Item: { ...keys.emailClaim(address), entity: 'emailClaim', email: address, userId: will.userId, roles: will.roles, claimedAt: at },
                ...condition,
              },
            },
            onConditionFailed,
          }
        : { item: { Delete: { Key: keys.emailClaim(address), ...condition } }, onConditionFailed },
    );
  }
  return ops;
}

/**
 * One counter for the whole directory. A change that removes active admins is refused (409
 * last_admin) unless at least one stays: the condition is evaluated on the committed count, so two
 * admins dismissing each other at once cannot both go through.
 */
function activeAdminCountOps(befores: (User | null)[], afters: User[]): TxOp[] {
  const delta = afters.reduce((sum, after, i) => sum + Number(isActiveAdmin(after)) - Number(isActiveAdmin(befores[i] ?? null)), 0);
  if (delta === 0) return [];
  const leaving = afters.flatMap((after, i) => (isActiveAdmin(befores[i] ?? null) && !isActiveAdmin(after) ? [after.id] : []));
  return [
    {
      item: {
        Update: {
          Key: keys.activeAdmins(),
          UpdateExpression: 'ADD activeAdmins :delta',
          ...(delta < 0 ? { ConditionExpression: 'activeAdmins >= :needed', ExpressionAttributeValues: { ':delta': delta, ':needed': 1 - delta } } : { ExpressionAttributeValues: { ':delta': delta } }),
        },
      },
      onConditionFailed: () => new LastAdmin(leaving),
    },
  ];
}

function externalIdOps(befores: (User | null)[], afters: User[], at: string): TxOp[] {
  const ops: TxOp[] = [];
  afters.forEach((after, i) => {
    const was = befores[i]?.externalId ?? null;
    const will = after.externalId;
    if (was === will) return;
    if (was) {
      ops.push({
        item: { Delete: { Key: keys.externalIdClaim(was), ConditionExpression: 'userId = :id', ExpressionAttributeValues: { ':id': after.id } } },
        onConditionFailed: () => new StaleWrite(`external id ${was}`),
      });
    }
    if (will) {
      ops.push({
        item: {
          Put: {
                        Item: { ...keys.externalIdClaim(will), entity: 'externalIdClaim', externalId: will, userId: after.id, claimedAt: at },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        onConditionFailed: (old) => new ExternalIdInUse(will, String(old?.userId ?? 'unknown')),
      });
    }
  });
  return ops;
}

function auditEntry(actorId: string | null, change: UserChange, after: User, at: string): AuditEntry {
  const diff = diffFields(change.before ? toUserView(change.before) : null, toUserView(after));
  if (change.redactAudit) {
    return { id: newId(), userId: after.id, actorId, action: change.action, before: null, after: { changedFields: Object.keys(diff.after ?? {}), ...change.details }, at };
  }
  return {
    id: newId(),
    userId: after.id,
    actorId,
    action: change.action,
    before: diff.before,
    after: change.details ? { ...diff.after, ...change.details } : diff.after,
    at,
  };
}
