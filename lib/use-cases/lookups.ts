import type { AuditEntry } from '../domain/audit';
import { emailSchema } from '../domain/email';
import type { EmailRole, HolderRef } from '../domain/errors';
import { validate } from '../domain/validate';
import { listAudit } from '../data/audit';
import type { Page } from '../data/pagination';
import { getUser } from '../data/users';
import type { Deps } from '../runtime';
import { readAsAdmin } from './steps';

export type EmailUsage = { email: string; status: 'free' } | { email: string; status: 'in_use'; usedAs: EmailRole[]; user: HolderRef };

/**
 * Tells whether an address is free, and if not who holds it, as what and in which status: the
 * check the seed article makes admins do by rehiring a leaver and opening their password page.
 * The admin and the claim are read in one request, the holder in a second.
 */
export async function lookupEmail(deps: Deps, actorId: string, requested: string): Promise<EmailUsage> {
  const email = validate(emailSchema, requested, 'email');
  const { claims } = await readAsAdmin(deps, actorId, { addresses: [email] });
  const claim = claims.get(email);
  if (!claim) return { email, status: 'free' };
  const holder = await getUser(deps.table, claim.userId);
  if (!holder) throw new Error(`claim on ${email} names missing user ${claim.userId}`);
  return { email, status: 'in_use', usedAs: claim.roles, user: { id: holder.id, status: holder.status, type: holder.type } };
}

export async function auditTrail(deps: Deps, actorId: string, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const { user } = await readAsAdmin(deps, actorId, { userIds: [userId] });
  user(userId);
  return listAudit(deps.table, userId, limit, cursor);
}
