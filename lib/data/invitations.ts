import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { TokenInvalid } from '../domain/errors';
import type { User } from '../domain/user';
import type { TableRef } from './client';
import { keys } from './keys';
import type { TxOp } from './transaction';
import { itemToUser } from './users';

export type Invitation = { userId: string; tokenHash: string; expiresAt: string };

/** Access pattern: a user and their pending invitation, in one request. */
export async function getUserWithInvitation(table: TableRef, userId: string): Promise<{ user?: User; invitation?: Invitation }> {
  const { Responses } = await table.client.send(
    new BatchGetCommand({
      RequestItems: { [table.name]: { Keys: [keys.user(userId), keys.invitation(userId)], ConsistentRead: true } },
    }),
  );
  const items = Responses?.[table.name] ?? [];
  const user = items.find((item) => item.sk === keys.user(userId).sk);
  const invitation = items.find((item) => item.sk === keys.invitation(userId).sk);
  return {
    ...(user ? { user: itemToUser(user) } : {}),
    ...(invitation
      ? { invitation: { userId, tokenHash: String(invitation.tokenHash), expiresAt: String(invitation.expiresAt) } }
      : {}),
  };
}

export function putInvitation(invitation: Invitation): TxOp {
  return {
    item: {
      Put: {
        Item: {
          ...keys.invitation(invitation.userId),
          entity: 'invitation',
          ...invitation,
          expiresAtEpoch: Math.floor(Date.parse(invitation.expiresAt) / 1000),
        },
      },
    },
  };
}

/** Consumes the invitation: only if it is still this token's and unexpired, so it works once. */
export function consumeInvitation(invitation: Invitation, now: Date): TxOp {
  return {
    item: {
      Delete: {
        Key: keys.invitation(invitation.userId),
        ConditionExpression: 'tokenHash = :hash AND expiresAt > :now',
        ExpressionAttributeValues: { ':hash': invitation.tokenHash, ':now': now.toISOString() },
      },
    },
    onConditionFailed: () => new TokenInvalid(),
  };
}
