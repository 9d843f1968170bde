import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailRole } from '../domain/errors';
import type { TableRef } from './client';
import { keys } from './keys';

export type EmailClaim = { email: string; userId: string; roles: EmailRole[] };

/** Access pattern: who holds an address, and as what. */
export async function getEmailClaim(table: TableRef, email: string): Promise<EmailClaim | undefined> {
  const { Item } = await table.client.send(
    new GetCommand({ TableName: table.name, Key: keys.emailClaim(email), ConsistentRead: true }),
  );
  return Item ? { email: String(Item.email), userId: String(Item.userId), roles: Item.roles as EmailRole[] } : undefined;
}

/** Access pattern: which user an HR system's employee id belongs to. */
export async function getExternalIdHolder(table: TableRef, externalId: string): Promise<string | undefined> {
  const { Item } = await table.client.send(new GetCommand({ TableName: table.name, Key: keys.externalIdClaim(externalId), ConsistentRead: true }));
  return Item ? String(Item.userId) : undefined;
}
