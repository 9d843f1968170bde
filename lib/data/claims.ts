import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailRole } from '../domain/errors';
import type { TableRef } from './client';

/** Claim items: one per address and per external id. */
export const claimKeys = {
  /** One claim item per normalised address: the uniqueness guard of docs/contract.md rule 2. */
  emailClaim: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'CLAIM' }),
  /** The HR system's id of an employee is unique too: webhooks find people by it. */
  externalIdClaim: (externalId: string) => ({ pk: `EXTID#${externalId}`, sk: 'CLAIM' }),
};

export type EmailClaim = { email: string; userId: string; roles: EmailRole[] };

/** Access pattern: who holds an address, and as what. */
export async function getEmailClaim(table: TableRef, email: string): Promise<EmailClaim | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: claimKeys.emailClaim(email), ConsistentRead: true }));
  return Item ? { email: String(Item.email), userId: String(Item.userId), roles: Item.roles as EmailRole[] } : undefined;
}

/** Access pattern: which user an HR system's employee id belongs to. */
export async function getExternalIdHolder(table: TableRef, externalId: string): Promise<string | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: claimKeys.externalIdClaim(externalId), ConsistentRead: true }));
  return Item ? String(Item.userId) : undefined;
}

/** The claim item of an address: who holds it, in which roles. */
export function emailClaimItem(email: string, holding: { userId: string; roles: EmailRole[] }, at: string) {
  return { ...claimKeys.emailClaim(email), entity: 'emailClaim', email, userId: holding.userId, roles: holding.roles, claimedAt: at };
}

/** The claim item of an HR system's employee id. */
export function externalIdClaimItem(externalId: string, userId: string, at: string) {
  return { ...claimKeys.externalIdClaim(externalId), entity: 'externalIdClaim', externalId, userId, claimedAt: at };
}
