import * as z from 'zod';

/** One audit entry: who did what to whom, with the changed fields before and after. */
export const auditEntrySchema = z
  .object({
    id: z.string(),
    userId: z.string(),
    actorId: z.string().nullable().describe('null when the system acted (bootstrap, schedules)'),
    action: z.string(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    at: z.string(),
  })
  .meta({ id: 'AuditEntry' });
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
