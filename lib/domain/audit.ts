import * as z from '../zod';

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
  .check(z.meta({ id: 'AuditEntry' })));
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
