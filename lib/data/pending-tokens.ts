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
 * One of each kind per user: a new request replaces the previous one. The request stores it
 * without a token; the mail worker issues the token and stores its hash (`storeTokenHash`), so
 * until the mail goes out there is nothing that could be accepted.
 */
export type PendingKind = 'invitation' | 'loginChange';
export type PendingToken = {
  kind: PendingKind;
  userId: string;
  /** The request that asked for the mail: its outbox message names it, so a superseded one is not mailed. */
  requestId: string;
  tokenHash?: string | undefined;
  expiresAt: string;
  newEmail?: string | undefined;
};

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
            requestId: String(pending.requestId ?? ''),
            ...(typeof pending.tokenHash === 'string' ? { tokenHash: pending.tokenHash } : {}),
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

/**
 * Stores the hash of the token being mailed: only while the pending item is still this request's
 * and unexpired. A later request for the same user replaced it (and mails its own link), or the
 * token was used: the failed condition surfaces as a StaleWrite.
 */
export function storeTokenHash(pending: PendingToken, tokenHash: string, now: Date): TxOp {
  return {
    item: {
      Update: {
        Key: keyOf(pending.kind, pending.userId),
        UpdateExpression: 'SET tokenHash = :hash',
        ConditionExpression: 'requestId = :request AND expiresAt > :now',
        ExpressionAttributeValues: { ':hash': tokenHash, ':request': pending.requestId, ':now': now.toISOString() },
      },
    },
  };
}

/** Consumes the token: only if it is still this one and unexpired, so it works exactly once. */
export function consumePending(pending: PendingToken & { tokenHash: string }, now: Date): TxOp {
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
