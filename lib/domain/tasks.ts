import { changeOf, type Change, type Context } from './change';
import { InvalidState } from './errors';
import type { WorkItem, WorkKind } from './work';

/**
 * Open work (tasks and CRM activities) belongs to a current user: the commit refuses work for a
 * dismissed one, which is what lets a dismissal's handover take everything (rule 9).
 */

/** A new open task or activity; the commit checks the responsible user is not dismissed. */
export function createWork(kind: WorkKind, command: { title: string; responsibleId: string }, context: Context): { work: WorkItem; change: Change } {
  const at = context.now.toISOString();
  const work: WorkItem = { id: context.newId(), kind, title: command.title, responsibleId: command.responsibleId, state: 'open', createdAt: at, updatedAt: at };
  const change = changeOf(
    context,
    [],
    [
      { type: 'createWork', work },
      { type: 'note', subject: { kind: 'work', id: work.id }, action: `${kind}.created`, details: { title: work.title, responsibleId: work.responsibleId } },
    ],
  );
  return { work, change };
}

/** Closes open work (its owner's open-work count goes down with it). */
export function closeWork(work: WorkItem, context: Context): { work: WorkItem; change: Change } {
  if (work.state !== 'open') throw new InvalidState(`${work.kind} ${work.id} is already closed`);
  const at = context.now.toISOString();
  const closed: WorkItem = { ...work, state: 'closed', updatedAt: at };
  const change = changeOf(
    context,
    [],
    [
      { type: 'closeWork', work, at },
      { type: 'note', subject: { kind: 'work', id: work.id }, action: `${work.kind}.closed`, details: { state: 'closed' } },
    ],
  );
  return { work: closed, change };
}
