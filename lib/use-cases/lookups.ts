import type { AuditEntry } from '../domain/audit';
import type { EmailRole, HolderRef } from '../domain/errors';
import { listAudit } from '../data/audit';
import { getEmailClaim } from '../data/claims';
import type { Page } from '../data/pagination';
import { getUser } from '../data/users';
import type { Deps } from '../runtime';
import { emailSchema } from '../domain/email';
import { validate } from '../domain/validate';
import { loadAsAdmin, requireAdmin } from './authorize';

export type EmailUsage =
  | { email: string; status: 'free' }
  | { email: string; status: 'in_use'; usedAs: EmailRole[]; user: HolderRef };

/**
 * Tells whether an address is free, and if not who holds it, as what and in which status: the
 * check the seed article makes admins do by rehiring a leaver and opening their password page.
 */
export async function lookupEmail(deps: Deps, actorId: string, requested: string): Promise<EmailUsage> {
  const email = validate(emailSchema, requested, 'path.email');
  const [, claim] = await Promise.all([requireAdmin(deps, actorId), getEmailClaim(deps.table, email)]);
  if (!claim) return { email, status: 'free' };
  const holder = await getUser(deps.table, claim.userId);
  if (!holder) throw new Error(`claim on ${email} names missing user ${claim.userId}`);
  return { email, status: 'in_use', usedAs: claim.roles, user: { id: holder.id, status: holder.status, type: holder.type } };
}

export async function auditTrail(deps: Deps, actorId: string, userId: string, limit: number, cursor?: string): Promise<Page<AuditEntry>> {
  const { user } = await loadAsAdmin(deps, actorId, [userId]);
  user(userId);
  return listAudit(deps.table, userId, limit, cursor);
}
