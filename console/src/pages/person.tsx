import { useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type Api } from '../api';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { useConsole, useLoad, type Loaded } from '../context';
import { loginMovedAway } from '../components/transfer-dialog';
import { PersonActions } from './person-actions';
import { accessLabel, actionLabel, fieldLabel, formatTime, fullName, statusLabel, typeLabel, valueText } from '../format';

type AuditEntry = Schemas['AuditEntry'];

const getUser = (api: Api, id: string) => call(api.client.GET('/users/{id}', { params: { path: { id } } }));

/** Every workgroup's name by id (the directory has few; a page of 100 at a time). */
async function workgroupNames(api: Api): Promise<Map<string, Schemas['Workgroup']>> {
  const names = new Map<string, Schemas['Workgroup']>();
  let cursor: string | undefined;
  do {
    const page = await call(api.client.GET('/workgroups', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    for (const workgroup of page.items) names.set(workgroup.id, workgroup);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return names;
}

/**
 * One person: status, type, both addresses, admin rights, legal hold, scheduled dismissal, the
 * links between an employee profile and its extranet account, workgroups, open work, access per
 * connected system and the audit trail, newest first.
 */
export function PersonPage({ id }: { id: string }) {
  const { api } = useConsole();
  const [user, reload] = useLoad(() => getUser(api, id), [id]);
  if (user.state === 'loading')
    return (
      <p role="status" class="muted">
        Loading…
      </p>
    );
  if (user.state === 'failed')
    return (
      <>
        <PageHeading>User not shown</PageHeading>
        <ProblemView problem={user.problem} />
      </>
    );
  return <Person key={user.data.id} user={user.data} onChanged={reload} />;
}

function Person({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { api } = useConsole();
  const [work] = useLoad(() => call(api.client.GET('/users/{id}/work', { params: { path: { id: user.id } } })), [user.id]);
  const [access] = useLoad(() => call(api.client.GET('/users/{id}/access', { params: { path: { id: user.id } } })), [user.id]);
  const [workgroups] = useLoad(() => workgroupNames(api), []);
  return (
    <>
      <PageHeading>{fullName(user)}</PageHeading>
      <p class="badges">
        <span class={`badge ${user.status}`}>{statusLabel[user.status]}</span>
        <span class="badge">{typeLabel[user.type]}</span>
        {user.isAdmin ? <span class="badge admin">Directory admin</span> : null}
        {user.legalHold ? <span class="badge hold">On legal hold</span> : null}
      </p>
      <section aria-labelledby="details">
        <h2 id="details">Details</h2>
        <dl class="facts">
          <dt>Login address</dt>
          <dd>
            {loginMovedAway(user) && user.movedToUserId ? (
              <>
                None of its own: the login moved to the extranet account <UserLink id={user.movedToUserId} />
              </>
            ) : (
              user.loginEmail
            )}
          </dd>
          <dt>Contact address</dt>
          <dd>{user.contactEmail ?? 'none'}</dd>
          <dt>Status</dt>
          <dd>
            {statusLabel[user.status]}
            {user.dismissedAt ? ` since ${formatTime(user.dismissedAt)}` : ''}
          </dd>
          {user.scheduledDismissalAt ? (
            <>
              <dt>Scheduled dismissal</dt>
              <dd>{formatTime(user.scheduledDismissalAt)}</dd>
            </>
          ) : null}
          <dt>Type</dt>
          <dd>{typeLabel[user.type]}</dd>
          <dt>Directory admin</dt>
          <dd>{user.isAdmin ? 'Yes' : 'No'}</dd>
          <dt>Legal hold</dt>
          <dd>{user.legalHold ? 'Yes: exempt from cleanup and erasure' : 'No'}</dd>
          {user.movedToUserId ? (
            <>
              <dt>Extranet account</dt>
              <dd>
                <UserLink id={user.movedToUserId} />
              </dd>
            </>
          ) : null}
          {user.movedFromUserId ? (
            <>
              <dt>Employee profile</dt>
              <dd>
                <UserLink id={user.movedFromUserId} />
              </dd>
            </>
          ) : null}
          <dt>External id (HR)</dt>
          <dd>{user.externalId ?? 'none'}</dd>
          <dt>Created</dt>
          <dd>{formatTime(user.createdAt)}</dd>
          {user.sweptAt ? (
            <>
              <dt>Anonymised by cleanup</dt>
              <dd>{formatTime(user.sweptAt)}</dd>
            </>
          ) : null}
        </dl>
      </section>
      <PersonActions user={user} onChanged={onChanged} />
      <section aria-labelledby="workgroups">
        <h2 id="workgroups">Workgroups</h2>
        {user.workgroupIds.length === 0 ? <p class="muted">Not a member of any workgroup.</p> : null}
        {workgroups.state === 'failed' ? <ProblemView problem={workgroups.problem} /> : null}
        {user.workgroupIds.length ? (
          <ul>
            {user.workgroupIds.map((workgroupId) => {
              const workgroup = workgroups.state === 'done' ? workgroups.data.get(workgroupId) : undefined;
              return <li key={workgroupId}>{workgroup ? `${workgroup.name}${workgroup.extranet ? ' (extranet)' : ''}` : workgroupId}</li>;
            })}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="work">
        <h2 id="work">Open work</h2>
        <Shown loaded={work}>
          {(counts) => (
            <p>
              {counts.openTasks} open task{counts.openTasks === 1 ? '' : 's'}, {counts.openActivities} open CRM activit
              {counts.openActivities === 1 ? 'y' : 'ies'}.
            </p>
          )}
        </Shown>
        {user.handoverJobId ? <Handover jobId={user.handoverJobId} /> : null}
      </section>
      <section aria-labelledby="access">
        <h2 id="access">Access in connected systems</h2>
        <Shown loaded={access}>
          {({ items }) =>
            items.length === 0 ? (
              <p class="muted">No connected systems.</p>
            ) : (
              <ul class="access">
                {items.map((item) => (
                  <li key={item.connectorId}>
                    <strong>{item.connectorName}</strong>: <span class={`badge ${item.state}`}>{accessLabel[item.state]}</span>
                    {item.reason ? <span> {item.reason}</span> : null}
                    {item.updatedAt ? <span class="muted"> ({formatTime(item.updatedAt)})</span> : null}
                  </li>
                ))}
              </ul>
            )
          }
        </Shown>
      </section>
      <AuditTrail userId={user.id} />
    </>
  );
}

function Shown<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => preact.ComponentChildren }) {
  if (loaded.state === 'loading') return <p class="muted">Loading…</p>;
  if (loaded.state === 'failed') return <ProblemView problem={loaded.problem} />;
  return <>{children(loaded.data)}</>;
}

function UserLink({ id }: { id: string }) {
  const { api } = useConsole();
  const [user] = useLoad(() => getUser(api, id), [id]);
  return <Link to={`/users/${id}`}>{user.state === 'done' ? `${fullName(user.data)} (${statusLabel[user.data.status].toLowerCase()})` : id}</Link>;
}

function Handover({ jobId }: { jobId: string }) {
  const { api } = useConsole();
  const [job] = useLoad(() => call(api.client.GET('/jobs/{id}', { params: { path: { id: jobId } } })), [jobId]);
  return (
    <Shown loaded={job}>
      {(data) => (
        <p>
          Handover of open work to <UserLink id={data.toUserId} />: {data.status}, {data.moved.tasks} task{data.moved.tasks === 1 ? '' : 's'} and{' '}
          {data.moved.activities} activit{data.moved.activities === 1 ? 'y' : 'ies'} moved{data.failureReason ? ` (${data.failureReason})` : ''}.
        </p>
      )}
    </Shown>
  );
}

/** Who did it: a directory user (named), or the system (start-up, a schedule, an HR event). */
function Actor({ id, subjectId }: { id: string | null; subjectId: string }) {
  if (id === null) return <>the system</>;
  if (id === subjectId) return <>themselves</>;
  return <UserLink id={id} />;
}

/** The trigger an entry records (`source` in its details), in words; nothing when it records none. */
function triggerText(entry: AuditEntry): string {
  const source = entry.after?.source;
  if (typeof source !== 'string') return '';
  if (source.startsWith('hr:')) return `, from an HR event (${source.slice(3)})`;
  const words: Record<string, string> = {
    admin: ', as an admin',
    self: ', from their own mailbox',
    schedule: ', on schedule',
    cleanup: ', by the cleanup',
    bootstrap: ', at first start',
    system: '',
  };
  return words[source] ?? `, via ${source}`;
}

function AuditTrail({ userId }: { userId: string }) {
  const { api } = useConsole();
  const [pages, setPages] = useState<{ entries: AuditEntry[]; nextCursor: string | null }>({ entries: [], nextCursor: null });
  const [cursor, setCursor] = useState<string | undefined>();
  const [page] = useLoad(async () => {
    const answer = await call(api.client.GET('/users/{id}/audit', { params: { path: { id: userId }, query: { limit: 20, ...(cursor ? { cursor } : {}) } } }));
    setPages((shown) => ({ entries: cursor ? [...shown.entries, ...answer.items] : answer.items, nextCursor: answer.nextCursor }));
    return answer;
  }, [userId, cursor]);
  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit trail</h2>
      {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
      <ol class="timeline">
        {pages.entries.map((entry) => (
          <li key={entry.id}>
            <p>
              <time dateTime={entry.at}>{formatTime(entry.at)}</time> <strong>{actionLabel(entry.action)}</strong>, by{' '}
              <Actor id={entry.actorId} subjectId={userId} />
              {triggerText(entry)}
            </p>
            <Changes entry={entry} />
          </li>
        ))}
      </ol>
      {page.state === 'loading' ? <p class="muted">Loading the audit trail…</p> : null}
      {page.state === 'done' && pages.entries.length === 0 ? <p class="muted">No entries.</p> : null}
      {pages.nextCursor ? (
        <button type="button" disabled={page.state === 'loading'} onClick={() => setCursor(pages.nextCursor ?? undefined)}>
          Show older entries
        </button>
      ) : null}
    </section>
  );
}

function Changes({ entry }: { entry: AuditEntry }) {
  const fields = [...new Set([...Object.keys(entry.before ?? {}), ...Object.keys(entry.after ?? {})])].filter((field) => field !== 'source');
  if (fields.length === 0) return null;
  const list = (
    <ul class="changes">
      {fields.map((field) => (
        <li key={field}>
          {fieldLabel(field)}:{' '}
          {entry.before && field in entry.before ? (
            <>
              {valueText(entry.before[field])} → {valueText(entry.after?.[field])}
            </>
          ) : (
            valueText(entry.after?.[field])
          )}
        </li>
      ))}
    </ul>
  );
  // A new account records every field: folded, so the timeline stays readable.
  if (entry.before === null && fields.length > 4)
    return (
      <details class="changes">
        <summary>All {fields.length} recorded fields</summary>
        {list}
      </details>
    );
  return list;
}
