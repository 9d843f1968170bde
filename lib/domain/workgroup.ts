import * as z from '../zod';

/** A workgroup (project); extranet workgroups are the only ones extranet users may join (rule 3). */
export const workgroupSchema = z
  .object({ id: z.string(), name: z.string(), extranet: z.boolean(), createdAt: z.string() })
  .check(z.meta({ id: 'Workgroup' }));
export type Workgroup = z.infer<typeof workgroupSchema>;

/** Workgroup names are unique regardless of case and surrounding space. */
export function normalizeWorkgroupName(name: string): string {
  return name.trim().normalize('NFC').toLowerCase();
}
