import * as z from '../zod';
import { foldCase } from './text';

/**
 * Marks a schema definition free of side effects, so a function's bundle drops the schemas it
 * never uses (zod/mini's `.check()` is a method call, which esbuild must otherwise keep). esbuild
 * honours the annotation only for functions declared in the same module, hence one per module.
 */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/** A workgroup (project); extranet workgroups are the only ones extranet users may join (rule 3). */
export const workgroupSchema = pure(() =>
  z.object({ id: z.string(), name: z.string(), extranet: z.boolean(), createdAt: z.string() }).check(z.meta({ id: 'Workgroup' })),
);
export type Workgroup = z.infer<typeof workgroupSchema>;

/**
 * Workgroup names are unique regardless of case, surrounding space, runs of spaces and
 * compatibility variants (NFKC: a full-width or ligature spelling is the same name).
 */
export function normalizeWorkgroupName(name: string): string {
  return foldCase(name.normalize('NFKC').trim().replace(/\s+/gu, ' ')).normalize('NFKC');
}
