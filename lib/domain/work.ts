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

/** Owned work that must not be orphaned when its responsible person leaves (rule 9). */
export const workKinds = ['task', 'activity'] as const;
export const workStates = ['open', 'closed'] as const;
export type WorkKind = (typeof workKinds)[number];
export type WorkState = (typeof workStates)[number];

export const workItemSchema = pure(() =>
  z
    .object({
      id: z.string(),
      kind: z.enum(workKinds),
      title: z.string(),
      responsibleId: z.string(),
      state: z.enum(workStates),
      createdAt: z.string(),
      updatedAt: z.string(),
    })
    .check(z.meta({ id: 'WorkItem' })),
);
export type WorkItem = z.infer<typeof workItemSchema>;

export const workCountsSchema = pure(() => z.object({ openTasks: z.int(), openActivities: z.int() }).check(z.meta({ id: 'WorkCounts' })));
export type WorkCounts = z.infer<typeof workCountsSchema>;

export const jobStatuses = ['pending', 'running', 'completed', 'failed'] as const;
export type JobStatus = (typeof jobStatuses)[number];

/** A resumable handover: progress is committed with each chunk, so a rerun continues, never repeats. */
export const jobSchema = pure(() =>
  z
    .object({
      id: z.string(),
      type: z.literal('handover'),
      reason: z.enum(['dismissal', 'reassign']),
      fromUserId: z.string(),
      toUserId: z.string(),
      status: z.enum(jobStatuses),
      moved: z.object({ tasks: z.int(), activities: z.int() }),
      chunks: z.int().check(z.describe('transactions committed so far')),
      failureReason: z.nullable(z.string()),
      createdAt: z.string(),
      updatedAt: z.string(),
      finishedAt: z.nullable(z.string()),
    })
    .check(z.meta({ id: 'Job' })),
);
export type Job = z.infer<typeof jobSchema> & { version: number; actorId: string };

export function toJobView(job: Job): z.infer<typeof jobSchema> {
  const { version: _version, actorId: _actorId, ...view } = job;
  return view;
}
