import * as z from '../zod';
import { changeOf, type Change, type Context } from './change';
import { InvalidState } from './errors';

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
  .check(z.meta({ id: 'WorkItem' })));
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
  .check(z.meta({ id: 'Job' })));
export type Job = z.infer<typeof jobSchema> & { version: number; actorId: string };

export function toJobView(job: Job): z.infer<typeof jobSchema> {
  const { version: _version, actorId: _actorId, ...view } = job;
  return view;
}

/** A new open task or activity; the commit checks the responsible user is not dismissed. */
export function createWork(kind: WorkKind, command: { title: string; responsibleId: string }, context: Context): { work: WorkItem; change: Change } {
  const at = context.now.toISOString();
  const work: WorkItem = { id: context.newId(), kind, title: command.title, responsibleId: command.responsibleId, state: 'open', createdAt: at, updatedAt: at };
  const change = changeOf(context, [], [
    { type: 'createWork', work },
    { type: 'note', subject: { kind: 'work', id: work.id }, action: `${kind}.created`, details: { title: work.title, responsibleId: work.responsibleId } },
  ]);
  return { work, change };
}

/** Closes open work (its owner's open-work count goes down with it). */
export function closeWork(work: WorkItem, context: Context): { work: WorkItem; change: Change } {
  if (work.state !== 'open') throw new InvalidState(`${work.kind} ${work.id} is already closed`);
  const at = context.now.toISOString();
  const closed: WorkItem = { ...work, state: 'closed', updatedAt: at };
  const change = changeOf(context, [], [
    { type: 'closeWork', work, at },
    { type: 'note', subject: { kind: 'work', id: work.id }, action: `${work.kind}.closed`, details: { state: 'closed' } },
  ]);
  return { work: closed, change };
}
