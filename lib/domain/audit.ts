import * as z from '../zod';
import type { AuditSubject, Change } from './change';
import { toUserView, type User } from './user';

/**
 * Marks a schema definition free of side effects, so a function's bundle drops the schemas it
 * never uses (zod/mini's `.check()` is a method call, which esbuild must otherwise keep). esbuild
 * honours the annotation only for functions declared in the same module, hence one per module.
 */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/** One audit entry: who did what to whom, with the changed fields before and after. */
export const auditEntrySchema = pure(() =>
  z
    .object({
      id: z.string(),
      userId: z.string(),
      actorId: z.nullable(z.string()).check(z.describe('null when the system acted (bootstrap, schedules)')),
      action: z.string(),
      before: z.nullable(z.record(z.string(), z.unknown())),
      after: z.nullable(z.record(z.string(), z.unknown())),
      at: z.string(),
    })
    .check(z.meta({ id: 'AuditEntry' })),
);
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Only the fields that changed, so entries stay small and readable. */
export function diffFields<T extends Record<string, unknown>>(before: T | null, after: T | null) {
  if (!before || !after) return { before, after };
  const changed = Object.keys({ ...before, ...after }).filter(
    (key) => key !== 'version' && key !== 'updatedAt' && JSON.stringify(before[key]) !== JSON.stringify(after[key]),
  );
  const pick = (source: T) => Object.fromEntries(changed.map((key) => [key, source[key] ?? null]));
  return { before: pick(before), after: pick(after) };
}

/** Rule 11: every change writes audit entries, in one shape whatever they are about. */
export type AuditRecord = {
  id: string;
  subject: AuditSubject;
  actorId: string | null;
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: string;
};

/** An entry about something the change does not rewrite as a user (a request, work, a job). */
export function noteRecord(
  id: string,
  subject: AuditSubject,
  actorId: string | null,
  action: string,
  details: Record<string, unknown>,
  at: string,
): AuditRecord {
  return { id, subject, actorId, action, before: null, after: details, at };
}

/**
 * The audit entries of a change: one per user it rewrites (the fields that changed, before and
 * after, plus its details; only the names of the changed fields when redacted) and one per note.
 * `stored` are the users as the commit writes them.
 */
export function auditRecords(change: Change, stored: User[], newId: () => string): AuditRecord[] {
  const at = change.at.toISOString();
  const users = change.users.map((userChange, i): AuditRecord => {
    const after = stored[i]!;
    const diff = diffFields(userChange.before ? toUserView(userChange.before) : null, toUserView(after));
    const subject = { kind: 'user' as const, id: after.id };
    if (userChange.redactAudit) {
      return {
        id: newId(),
        subject,
        actorId: change.actorId,
        action: userChange.action,
        before: null,
        after: { changedFields: Object.keys(diff.after ?? {}), ...userChange.details },
        at,
      };
    }
    return {
      id: newId(),
      subject,
      actorId: change.actorId,
      action: userChange.action,
      before: diff.before,
      after: userChange.details ? { ...diff.after, ...userChange.details } : diff.after,
      at,
    };
  });
  const notes = change.effects.flatMap((effect) =>
    effect.type === 'note' ? [noteRecord(newId(), effect.subject, change.actorId, effect.action, effect.details, at)] : [],
  );
  return [...users, ...notes];
}

/** A user's audit entry as the API shows it. */
export function toAuditEntry(record: AuditRecord): AuditEntry {
  return {
    id: record.id,
    userId: record.subject.id,
    actorId: record.actorId,
    action: record.action,
    before: record.before,
    after: record.after,
    at: record.at,
  };
}
