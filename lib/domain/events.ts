import { diffFields } from './audit';
import type { Change, Source } from './change';
import { toUserView, type User, type UserView } from './user';

/**
 * Rule 13: every committed change to a user emits a lifecycle event, written in the same
 * transaction as the change (lib/data/commit.ts), so there is no event without its change and no
 * change without its event. Its `sequence` is the user's version after the change: every commit
 * that rewrites a user raises it by exactly one, so a subscriber sees 1, 2, 3, ... with no gap.
 */

export type FieldChange = { field: string; before: unknown; after: unknown };

export type LifecycleEvent = {
  id: string;
  type: string;
  timestamp: string;
  data: {
    userId: string;
    sequence: number;
    actorId: string | null;
    source: Source;
    /** The user as GET /users/{id} reads it after the change. */
    user: UserView;
    /** The fields of that view the change altered; values left out (null) where the change erases them. */
    changes: FieldChange[];
  };
};

/**
 * The event type of each audit action: the contract's names where it has one; an action it does
 * not name is its own type (`user.legal_hold_placed`), so no change goes without an event.
 */
const EVENT_TYPES: Record<string, string> = {
  'invitation.accepted': 'user.activated',
  'user.bootstrapped_admin': 'user.activated',
  'user.created_from_employee': 'user.activated',
  'user.workgroup_joined': 'user.workgroups_changed',
  'user.workgroup_left': 'user.workgroups_changed',
  'email.transferred_out': 'email.transferred',
  'email.transferred_in': 'email.transferred',
};

export function eventTypeOf(action: string): string {
  return EVENT_TYPES[action] ?? action;
}

/** The events of a change, one per user it rewrites; `stored` are the users as the commit writes them. */
export function lifecycleEvents(change: Change, stored: User[], newId: () => string): LifecycleEvent[] {
  return change.users.map((userChange, i) => {
    const after = stored[i]!;
    const view = toUserView(after);
    const diff = diffFields<Record<string, unknown>>(userChange.before ? toUserView(userChange.before) : null, view);
    const fields = Object.keys(diff.after ?? view);
    const changes = fields.map((field) =>
      userChange.redactAudit ? { field, before: null, after: null } : { field, before: diff.before?.[field] ?? null, after: diff.after?.[field] ?? null },
    );
    return {
      id: newId(),
      type: eventTypeOf(userChange.action),
      timestamp: change.at.toISOString(),
      data: { userId: after.id, sequence: after.version, actorId: change.actorId, source: change.source, user: view, changes },
    };
  });
}
