import { retentionStart, type User } from '../domain/user';
import { outboxKey } from './outbox-item';

const AUDIT_PARTITION = { user: 'USER', work: 'WORK', workgroup: 'WORKGROUP' } as const;

/** Key builders for every entity in the single table; nothing else spells a key. */
export const keys = {
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'PROFILE' }),
  /** One claim item per normalised address: the uniqueness guard of DOMAIN.md rule 2. */
  emailClaim: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'CLAIM' }),
  /** The HR system's id of an employee is unique too: webhooks find people by it. */
  externalIdClaim: (externalId: string) => ({ pk: `EXTID#${externalId}`, sk: 'CLAIM' }),
  /** How many users are active admins: the guard that keeps at least one (rule 10). */
  activeAdmins: () => ({ pk: 'DIRECTORY', sk: 'ACTIVE_ADMINS' }),
  invitation: (userId: string) => ({ pk: `USER#${userId}`, sk: 'INVITATION' }),
  loginChange: (userId: string) => ({ pk: `USER#${userId}`, sk: 'LOGIN_CHANGE' }),
  /** Workgroups share one partition: few items, listed together. */
  workgroup: (id: string) => ({ pk: 'WORKGROUPS', sk: `WORKGROUP#${id}` }),
  workgroupsPrefix: () => ({ pk: 'WORKGROUPS', skPrefix: 'WORKGROUP#' }),
  workgroupName: (normalisedName: string) => ({ pk: `WGNAME#${normalisedName}`, sk: 'CLAIM' }),
  work: (id: string) => ({ pk: `WORK#${id}`, sk: 'WORK' }),
  /**
   * How many open tasks and activities a user holds, moved in the transaction of every change to
   * their work: unlike the workByResponsible index, it is never behind.
   */
  openWork: (userId: string) => ({ pk: `USER#${userId}`, sk: 'OPEN_WORK' }),
  /** The open (or closed) work of one user, optionally of one kind, on index workByResponsible. */
  workByResponsible: (userId: string, state: string, kind?: string) => ({ gsi3pk: `RESP#${userId}`, gsi3skPrefix: `${state}#${kind ? `${kind}#` : ''}` }),
  job: (id: string) => ({ pk: `JOB#${id}`, sk: 'JOB' }),
  /** One item per queued follow-up: its own partition, so busy periods never heat one key. */
  outbox: outboxKey,
  /** The first sight of a provider's delivery id: its existence is the replay guard. */
  delivery: (provider: string, deliveryId: string) => ({ pk: `HRDELIVERY#${provider}#${deliveryId}`, sk: 'DELIVERY' }),
  deliveryEvent: (provider: string, deliveryId: string, index: number) => ({ pk: `HRDELIVERY#${provider}#${deliveryId}`, sk: `EVENT#${String(index).padStart(3, '0')}` }),
  /** An audit entry, in its subject's partition: a user's, a work item's or a workgroup's trail. */
  audit: (subject: { kind: 'user' | 'work' | 'workgroup'; id: string }, entryId: string) => ({ pk: `${AUDIT_PARTITION[subject.kind]}#${subject.id}`, sk: `AUDIT#${entryId}` }),
  auditPrefix: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'AUDIT#' }),
  usersByStatus: (status: string, type?: string) => ({ gsi1pk: `STATUS#${status}`, gsi1skPrefix: type ? `${type}#` : '' }),
  usersByType: (type?: string) => ({ gsi2pk: 'USERS', gsi2skPrefix: type ? `${type}#` : '' }),
};

/** Index attributes a work item carries: who is responsible, in which state. */
export function workIndexAttributes(work: { id: string; kind: string; state: string; responsibleId: string }) {
  return { gsi3pk: `RESP#${work.responsibleId}`, gsi3sk: `${work.state}#${work.kind}#${work.id}` };
}

export const LIFECYCLE = { dismissalDue: 'DISMISSAL_DUE', dismissed: 'DISMISSED' } as const;

/** Index attributes a user item carries; recomputed on every write so they never go stale. */
export function userIndexAttributes(user: Pick<User, 'id' | 'type' | 'status'> & Partial<Pick<User, 'dismissedAt' | 'dismissalRecordedAt' | 'scheduledDismissal' | 'sweptAt'>>) {
  // A swept account has nothing left to clean up: it leaves the index. Retention counts from
  // retentionStart, so a back-dated dismissal waits its full retention too.
  const retention = retentionStart({ dismissedAt: user.dismissedAt ?? null, dismissalRecordedAt: user.dismissalRecordedAt ?? null });
  const lifecycle =
    user.status === 'dismissed' && retention && !user.sweptAt
      ? { gsi4pk: LIFECYCLE.dismissed, gsi4sk: `${retention}#${user.id}` }
      : user.status !== 'dismissed' && user.scheduledDismissal
        ? { gsi4pk: LIFECYCLE.dismissalDue, gsi4sk: `${user.scheduledDismissal.effectiveAt}#${user.id}` }
        : {};
  return {
    gsi1pk: `STATUS#${user.status}`,
    gsi1sk: `${user.type}#${user.id}`,
    gsi2pk: 'USERS',
    gsi2sk: `${user.type}#${user.id}`,
    ...lifecycle,
  };
}
