import { TokenInvalid } from '../domain/errors';
import { secretMatches } from '../domain/tokens';
import type { User } from '../domain/user';
import type { TableRef } from './client';
import { batchGetItems, itemId } from './items';
import type { TxOp } from './transaction';
import { itemToUser, userKeys } from './users';

/**
 * A mailed token waiting to be used, stored next to its user (so `<userId>.<secret>` finds it
 * with a key read): the invitation, or a requested login-email change (which names the new address).
 * One of each kind per user: a new request replaces the previous one. The request stores it
 * without a token; the mail worker issues the token and adds its hash (`storeTokenHash`), so until
 * the mail goes out there is nothing that could be accepted. A request mailed more than once (a
 * redelivered queue message) has one hash per mail, and every one of its links works until one is
 * used, the request is replaced, or it expires.
 */
import type { PendingKind, PendingRequest } from '../domain/change';

/** Pending requests, next to their user: one of each kind per user. */
export const pendingKeys = {
  invitation: (userId: string) => ({ pk: `USER#${userId}`, sk: 'INVITATION' }),
  loginChange: (userId: string) => ({ pk: `USER#${userId}`, sk: 'LOGIN_CHANGE' }),
};
export type { PendingKind } from '../domain/change';
export type PendingToken = {
  kind: PendingKind;
  userId: string;
  /** The request that asked for the mail: its outbox message names it, so a superseded one is not mailed. */
  requestId: string;
  /** The hashes of the links mailed for this request (none until the mail worker ran). */
  tokenHashes: string[];
  expiresAt: string;
  newEmail?: string | undefined;
};

const keyOf = (kind: PendingKind, userId: string) => (kind === 'invitation' ? pendingKeys.invitation(userId) : pendingKeys.loginChange(userId));

/** Access pattern: a user and one pending token of theirs, in one request. */
export async function getUserWithPending(table: TableRef, userId: string, kind: PendingKind): Promise<{ user?: User; pending?: PendingToken }> {
  const items = await batchGetItems(table, [userKeys.user(userId), keyOf(kind, userId)]);
  const user = items.get(itemId(userKeys.user(userId)));
  const pending = items.get(itemId(keyOf(kind, userId)));
  return {
    ...(user ? { user: itemToUser(user) } : {}),
    ...(pending
      ? {
          pending: {
            kind,
            userId,
            requestId: String(pending.requestId ?? ''),
            tokenHashes: hashesOf(pending),
            expiresAt: String(pending.expiresAt),
            ...(pending.newEmail ? { newEmail: String(pending.newEmail) } : {}),
          },
        }
      : {}),
  };
}

/** `tokenHashes` (a string set) holds every mailed link's hash. */
function hashesOf(item: Record<string, unknown>): string[] {
  return item.tokenHashes instanceof Set ? [...(item.tokenHashes as Set<string>)] : [];
}

/** The most links one request may be mailed: more redeliveries than that point at a fault, not a hiccup. */
export const MAX_LINKS_PER_REQUEST = 10;

export function putPending(pending: PendingRequest): TxOp {
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

/** The pending request is gone, was replaced, expired, or has had its share of links. */
export class RequestClosed extends Error {
  constructor(readonly reason: string) {
    super(`the pending request is closed: ${reason}`);
  }
}

/**
 * Adds the hash of the token being mailed, keeping the links mailed before: only while the pending
 * item is still this request's, unexpired and under MAX_LINKS_PER_REQUEST. Otherwise a later
 * request replaced it (and mails its own link), it was used, or it expired: RequestClosed.
 */
export function storeTokenHash(pending: Pick<PendingToken, 'kind' | 'userId' | 'requestId'>, tokenHash: string, now: Date): TxOp {
  return {
    item: {
      Update: {
        Key: keyOf(pending.kind, pending.userId),
        UpdateExpression: 'ADD tokenHashes :hashes',
        ConditionExpression: 'requestId = :request AND expiresAt > :now AND (attribute_not_exists(tokenHashes) OR size(tokenHashes) < :max)',
        ExpressionAttributeValues: { ':hashes': new Set([tokenHash]), ':request': pending.requestId, ':now': now.toISOString(), ':max': MAX_LINKS_PER_REQUEST },
      },
    },
    onConditionFailed: (old) =>
      new RequestClosed(
        !old || old.requestId !== pending.requestId
          ? 'replaced or used'
          : String(old.expiresAt) <= now.toISOString()
            ? 'expired before it was mailed'
            : `${MAX_LINKS_PER_REQUEST} links already mailed`,
      ),
  };
}

/**
 * Which of the request's links a presented secret is, compared in constant time. Invitation links
 * are bound to the address they were mailed to: pass the user's login as it is now.
 */
export function matchingHash(pending: PendingToken, secret: string, boundTo?: string): string | undefined {
  return pending.tokenHashes.find((hash) => secretMatches(secret, hash, boundTo));
}

/**
 * Consumes the request with one of its links: only if that link is still one of this request's and
 * unexpired, so a request is used exactly once, whichever of its links is used.
 */
export function consumePending(kind: PendingKind, userId: string, tokenHash: string, now: Date): TxOp {
  return {
    item: {
      Delete: {
        Key: keyOf(kind, userId),
        ConditionExpression: 'contains(tokenHashes, :hash) AND expiresAt > :now',
        ExpressionAttributeValues: { ':hash': tokenHash, ':now': now.toISOString() },
      },
    },
    onConditionFailed: () => new TokenInvalid(),
  };
}

/** Drops a pending token if there is one (a move or transfer decides the login itself). */
export function discardPending(kind: PendingKind, userId: string): TxOp {
  return { item: { Delete: { Key: keyOf(kind, userId) } } };
}
