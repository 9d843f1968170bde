import { TokenInvalid } from '../domain/errors';
import type { User } from '../domain/user';
import type { TableRef } from './client';
import { batchGetItems, itemId } from './items';
import { keys } from './keys';
import type { TxOp } from './transaction';
import { itemToUser } from './users';

/**
 * A mailed token waiting to be used, stored next to its user (so `<userId>.<secret>` finds it
 * with a key read): the invitation, or a requested login-email change (which names the new address).
 * One of each kind per user: a new request replaces the previous one.
 */
export type PendingKind = 'invitation' | 'loginChange';
export type PendingToken = { kind: PendingKind; userId: string; tokenHash: string; expiresAt: string; newEmail?: string | undefined };

const keyOf = (kind: PendingKind, userId: string) => (kind === 'invitation' ? keys.invitation(userId) : keys.loginChange(userId));

/** Access pattern: a user and one pending token of theirs, in one request. */
export async function getUserWithPending(table: TableRef, userId: string, kind: PendingKind): Promise<{ user?: User; pending?: PendingToken }> {
  const items = await batchGetItems(table, [keys.user(userId), keyOf(kind, userId)]);
  const user = items.get(itemId(keys.user(userId)));
  const pending = items.get(itemId(keyOf(kind, userId)));
  return {
    ...(user ? { user: itemToUser(user) } : {}),
    ...(pending
      ? {
          pending: {
            kind,
            userId,
            tokenHash: String(pending.tokenHash),
            expiresAt: String(pending.expiresAt),
            ...(pending.newEmail ? { newEmail: String(pending.newEmail) } : {}),
          },
        }
      : {}),
  };
}

export function putPending(pending: PendingToken): TxOp {
  return {
    item: {
      Put: {
        Item: {
          ...keyOf(pending.kind, pending.userId),
          entity: pending.kind,
          ...pending,
          expiresAtEpoch: Math.floor(Date.parse(pending.expiresAt) / 1000),
        },
      },
    },
  };
}

/** Consumes the token: only if it is still this one and unexpired, so it works exactly once. */
export function consumePending(pending: PendingToken, now: Date): TxOp {
  return {
    item: {
      Delete: {
        Key: keyOf(pending.kind, pending.userId),
        ConditionExpression: 'tokenHash = :hash AND expiresAt > :now',
        ExpressionAttributeValues: { ':hash': pending.tokenHash, ':now': now.toISOString() },
      },
    },
    onConditionFailed: () => new TokenInvalid(),
  };
}

/** Drops a pending token if there is one (a move or transfer decides the login itself). */
export function discardPending(kind: PendingKind, userId: string): TxOp {
  return { item: { Delete: { Key: keyOf(kind, userId) } } };
}
