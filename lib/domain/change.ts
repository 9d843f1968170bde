import type { Job, WorkItem } from './work';
import type { Workgroup } from './workgroup';
import type { User } from './user';

/**
 * "What changed": the one shape every decision of the lifecycle returns and the data layer
 * commits as ONE transaction (lib/data/commit.ts). Decisions are pure functions in lib/domain;
 * nothing here knows DynamoDB.
 */

/** Who asked for a change: an admin, the person themselves (a mailed link), an HR system, the schedule, the cleanup. */
export type Source = 'admin' | 'self' | 'schedule' | 'cleanup' | 'bootstrap' | 'system' | `hr:${string}`;

/** What a decision may know about the moment it is taken. `newId` keeps decisions deterministic in tests. */
export type Context = {
  now: Date;
  /** The acting user, or null when the system acts (schedule, cleanup, HR events). */
  actorId: string | null;
  source: Source;
  newId: () => string;
};

/** One user before and after; `before` null for a new user. */
export type UserChange = {
  before: User | null;
  after: User;
  /** The audit action, e.g. `user.dismissed`. */
  action: string;
  details?: Record<string, unknown>;
  /** Audit which fields changed but not their values (an anonymisation must not copy what it erases). */
  redactAudit?: boolean;
};

export type PendingKind = 'invitation' | 'loginChange';

/** A mailed-link request waiting for its link (the mail worker adds the token hashes). */
export type PendingRequest = { kind: PendingKind; userId: string; requestId: string; expiresAt: string; newEmail?: string | undefined };

/** What a change implies besides the users it rewrites; each becomes part of the same transaction. */
export type Effect =
  /** A handover job, recorded and queued. */
  | { type: 'handover'; job: Job }
  /** A pending invitation or login change, replacing the user's previous one of that kind. */
  | { type: 'storePending'; pending: PendingRequest }
  /** The mail worker is to mail the pending request's link. */
  | { type: 'mailLink'; kind: PendingKind; userId: string; requestId: string }
  /** A pending request the change makes pointless (a move or transfer decided the login itself). */
  | { type: 'dropPending'; kind: PendingKind; userId: string }
  /** A link issued for a pending request: its hash joins the request's links. */
  | { type: 'addLink'; kind: PendingKind; userId: string; requestId: string; tokenHash: string }
  /** The invited user is still invited at the address a link is about to be mailed to. */
  | { type: 'requireInvitedAt'; userId: string; loginEmail: string }
  /** A mailed link used: the request is consumed, only if that link is still one of its own and unexpired. */
  | { type: 'consumePending'; kind: PendingKind; userId: string; tokenHash: string }
  /**
   * The workgroup exists (an extranet one when `extranet`) when the change commits. `field` names
   * the command field that named it (a 400 when it fails); null when the workgroup is the resource
   * addressed (404, or 409 for the wrong kind).
   */
  | { type: 'requireWorkgroup'; workgroupId: string; extranet: boolean; field: string | null }
  /** A new task or CRM activity, for a responsible user who is not dismissed at commit time. */
  | { type: 'createWork'; work: WorkItem }
  /** Open work closed, only while still open and with the owner read. */
  | { type: 'closeWork'; work: WorkItem; at: string }
  /** A new workgroup, whose normalised name no other workgroup may have. */
  | { type: 'createWorkgroup'; workgroup: Workgroup }
  /** An audit entry about a user the change does not rewrite (a request, a job). */
  | { type: 'note'; subject: AuditSubject; action: string; details: Record<string, unknown> };

/** What an audit entry is about; `subscription`: an event subscription (rule 13); `connector`: a connected system (rule 14). */
export type AuditSubject = { kind: 'user' | 'work' | 'workgroup' | 'subscription' | 'connector'; id: string };

/** A decided change, ready to commit. */
export type Change = {
  actorId: string | null;
  /** Who asked (an admin, an HR system, the schedule, ...): the lifecycle event says so. */
  source: Source;
  /** The actor acts as an admin: the commit re-checks that they still are one. */
  asAdmin: boolean;
  at: Date;
  users: UserChange[];
  effects: Effect[];
};

/** A decision that changes nothing, with the reason (an HR event records it). */
export type NoChange = { noChange: string };

export function isNoChange(decision: Change | NoChange): decision is NoChange {
  return 'noChange' in decision;
}

/** A change from a context: the actor acts as an admin exactly when an admin asked. */
export function changeOf(context: Context, users: UserChange[], effects: Effect[] = []): Change {
  return { actorId: context.actorId, source: context.source, asAdmin: context.source === 'admin', at: context.now, users, effects };
}

/** The same change with details every audit entry of it should carry (an HR delivery id, ...). */
export function withDetails(change: Change, details: Record<string, unknown>): Change {
  return { ...change, users: change.users.map((user) => ({ ...user, details: { ...user.details, ...details } })) };
}
