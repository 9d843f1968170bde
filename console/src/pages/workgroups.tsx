import { useEffect, useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type Api, type ProblemDetails } from '../api';
import { ConfirmDialog, ResultMessage } from '../components/dialog-box';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime, fullName, statusLabel, typeLabel } from '../format';
import { Pager, useInFlight, usePaging } from '../paging';

type Workgroup = Schemas['Workgroup'];

const kindOf = (workgroup: Workgroup) => (workgroup.extranet ? 'Extranet' : 'Intranet');

/** Workgroups a page at a time, and a form to create one (intranet, or extranet for external users). */
export function WorkgroupsPage() {
  const { api } = useConsole();
  const paging = usePaging();
  const [page, reload] = useLoad(
    () => call(api.client.GET('/workgroups', { params: { query: { limit: 25, ...(paging.cursor ? { cursor: paging.cursor } : {}) } } })),
    [paging.cursor],
  );
  const [created, setCreated] = useState<Workgroup | undefined>();
  return (
    <>
      <PageHeading>Workgroups</PageHeading>
      <CreateWorkgroup
        api={api}
        onCreated={(workgroup) => {
          setCreated(workgroup);
          reload();
        }}
      />
      {created ? (
        <p role="status" class="notice">
          Workgroup {created.name} created. <Link to={`/workgroups/${created.id}`}>Add its members</Link>.
        </p>
      ) : null}
      <section aria-labelledby="workgroup-list">
        <h2 id="workgroup-list">All workgroups</h2>
        {page.state === 'loading' ? <p class="muted">Loading workgroups…</p> : null}
        {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
        {page.state === 'done' ? (
          <>
            {page.data.items.length === 0 ? <p class="muted">No workgroups yet.</p> : null}
            <ul class="results" aria-label="Workgroups">
              {page.data.items.map((workgroup) => (
                <li key={workgroup.id}>
                  <Link to={`/workgroups/${workgroup.id}`}>{workgroup.name}</Link>
                  <span class="badges">
                    <span class="badge">{kindOf(workgroup)}</span>
                  </span>
                  <span class="muted">created {formatTime(workgroup.createdAt)}</span>
                </li>
              ))}
            </ul>
            <Pager paging={paging} nextCursor={page.data.nextCursor} what="workgroups" />
          </>
        ) : null}
      </section>
    </>
  );
}

function CreateWorkgroup({ api, onCreated }: { api: Api; onCreated: (workgroup: Workgroup) => void }) {
  const [name, setName] = useState('');
  const [extranet, setExtranet] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  return (
    <form
      class="panel"
      aria-labelledby="create-workgroup"
      onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setProblem(undefined);
        try {
          onCreated(await call(api.client.POST('/workgroups', { body: { name: name.trim(), extranet } })));
          setName('');
          setExtranet(false);
        } catch (error) {
          setProblem(problemOf(error));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2 id="create-workgroup">Create a workgroup</h2>
      <div class="field">
        <label for="workgroup-name">Name</label>
        <input id="workgroup-name" required value={name} autoComplete="off" onInput={(event) => setName((event.target as HTMLInputElement).value)} />
      </div>
      <div class="check-field">
        <input id="workgroup-extranet" type="checkbox" checked={extranet} onChange={(event) => setExtranet((event.target as HTMLInputElement).checked)} />
        <label for="workgroup-extranet">Extranet workgroup (for external users only)</label>
      </div>
      {problem ? <ProblemView problem={problem} /> : null}
      <div>
        <button type="submit" disabled={busy}>
          Create workgroup
        </button>
      </div>
    </form>
  );
}

/** The API reads workgroups only as a list: the one asked for is found in its pages. */
async function findWorkgroup(api: Api, id: string): Promise<Workgroup | undefined> {
  let cursor: string | undefined;
  do {
    const page = await call(api.client.GET('/workgroups', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    const found = page.items.find((workgroup) => workgroup.id === id);
    if (found) return found;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}

/**
 * The API has no members listing: they are the users whose `workgroupIds` name this workgroup,
 * read through every page of users (fine for a company directory's size; see the report to the lead).
 */
async function membersOf(api: Api, id: string): Promise<User[]> {
  const members: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(api.client.GET('/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
    members.push(...page.items.filter((user) => user.workgroupIds.includes(id)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return members;
}

/** One workgroup: its members, each removable (confirmed), and a search to add someone. */
export function WorkgroupPage({ id }: { id: string }) {
  const { api } = useConsole();
  const [workgroup] = useLoad(() => findWorkgroup(api, id), [id]);
  if (workgroup.state === 'loading')
    return (
      <p role="status" class="muted">
        Loading…
      </p>
    );
  if (workgroup.state === 'failed' || !workgroup.data)
    return (
      <>
        <PageHeading>Workgroup not shown</PageHeading>
        {workgroup.state === 'failed' ? (
          <ProblemView problem={workgroup.problem} />
        ) : (
          <ProblemView problem={{ code: 'not_found', type: '/problems/not_found', status: 404, title: 'Not found', detail: `There is no workgroup ${id}.` }} />
        )}
        <p>
          <Link to="/workgroups">All workgroups</Link>
        </p>
      </>
    );
  return <Members workgroup={workgroup.data} />;
}

function Members({ workgroup }: { workgroup: Workgroup }) {
  const { api } = useConsole();
  const [members, reload] = useLoad(() => membersOf(api, workgroup.id), [workgroup.id]);
  const [removing, setRemoving] = useState<User | undefined>();
  const [said, setSaid] = useState<string | undefined>();
  return (
    <>
      <PageHeading>{workgroup.name}</PageHeading>
      <p class="badges">
        <span class="badge">{kindOf(workgroup)} workgroup</span>
      </p>
      <p>
        <Link to="/workgroups">All workgroups</Link>
      </p>
      <ResultMessage text={said} />
      <section aria-labelledby="members">
        <h2 id="members">Members</h2>
        {members.state === 'loading' ? <p class="muted">Loading members…</p> : null}
        {members.state === 'failed' ? <ProblemView problem={members.problem} /> : null}
        {members.state === 'done' ? (
          members.data.length === 0 ? (
            <p class="muted">No members yet.</p>
          ) : (
            <ul class="results" aria-label="Members">
              {members.data.map((user) => (
                <li key={user.id}>
                  <Link to={`/users/${user.id}`}>{fullName(user)}</Link>
                  <span class="address">{user.loginEmail}</span>
                  <span class={`badge ${user.status}`}>{statusLabel[user.status]}</span>
                  {keepsLastWorkgroup(user) ? (
                    <span class="muted">their only workgroup: extranet users belong to at least one</span>
                  ) : (
                    <button type="button" class="quiet" aria-label={`Remove ${fullName(user)}`} onClick={() => setRemoving(user)}>
                      Remove
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        ) : null}
      </section>
      <AddMember
        workgroup={workgroup}
        members={members.state === 'done' ? members.data : []}
        onAdded={(user) => {
          setSaid(`${fullName(user)} is now a member of ${workgroup.name}.`);
          reload();
        }}
      />
      {removing ? (
        <ConfirmDialog
          title={`Remove ${fullName(removing)} from ${workgroup.name}?`}
          confirmLabel="Remove member"
          danger
          onClose={() => setRemoving(undefined)}
          onConfirm={async () => {
            await call(api.client.DELETE('/workgroups/{id}/members/{userId}', { params: { path: { id: workgroup.id, userId: removing.id } } }));
            setSaid(`${fullName(removing)} is no longer a member of ${workgroup.name}.`);
            reload();
          }}
        >
          <p>
            {fullName(removing)} leaves the workgroup {workgroup.name} and loses what it gives access to. You can add them again later.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** The API refuses to take an extranet user out of their last workgroup (lib/domain/extranet.ts, leaveWorkgroup). */
const keepsLastWorkgroup = (user: User) => user.type === 'extranet' && user.workgroupIds.length === 1;

/**
 * Why the API would refuse to add this user (lib/domain/extranet.ts, joinWorkgroup, and the
 * commit's workgroup check), or undefined when it would accept: swept and dismissed users join
 * nothing, extranet users only extranet workgroups.
 */
function whyNotAddable(user: User, workgroup: Workgroup): string | undefined {
  if (user.sweptAt || user.status === 'dismissed') return 'dismissed: rehire them first';
  if (user.type === 'extranet' && !workgroup.extranet) return 'extranet users join extranet workgroups only';
  if (user.workgroupIds.length >= MAX_WORKGROUPS) return `already in ${MAX_WORKGROUPS} workgroups, the most one user can be in`;
  return undefined;
}

/** As lib/domain/extranet.ts's MAX_WORKGROUPS_PER_USER (the console does not import the server's code). */
const MAX_WORKGROUPS = 100;

function AddMember({ workgroup, members, onAdded }: { workgroup: Workgroup; members: User[]; onAdded: (user: User) => void }) {
  const { api } = useConsole();
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const adding = useInFlight();
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useLoad(async () => (q ? call(api.client.GET('/users', { params: { query: { q, limit: 10 } } })) : undefined), [q]);
  const memberIds = new Set(members.map((user) => user.id));
  return (
    <section aria-labelledby="add-member">
      <h2 id="add-member">Add a member</h2>
      <form
        class="filters"
        aria-label="Find a user to add"
        onSubmit={(event) => {
          event.preventDefault();
          setQ(typed.trim());
        }}
      >
        <div class="field grow">
          <label for="member-search">Find a user by the start of a name or address</label>
          <input
            id="member-search"
            type="search"
            value={typed}
            autoComplete="off"
            spellcheck={false}
            onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">Search</button>
      </form>
      {problem ? <ProblemView problem={problem} /> : null}
      {found.state === 'failed' ? <ProblemView problem={found.problem} /> : null}
      {found.state === 'done' && found.data ? (
        <>
          <p role="status" class="muted">
            {found.data.items.length === 0 ? `Nobody's name or address starts with “${q}”.` : `${found.data.items.length} found for “${q}”.`}
          </p>
          <ul class="results" aria-label="Users found">
            {found.data.items.map((user) => {
              const refused = whyNotAddable(user, workgroup);
              return (
                <li key={user.id}>
                  <span>{fullName(user)}</span>
                  <span class="address">{user.loginEmail}</span>
                  <span class="badges">
                    <span class={`badge ${user.status}`}>{statusLabel[user.status]}</span>
                    <span class="badge">{typeLabel[user.type]}</span>
                  </span>
                  {memberIds.has(user.id) ? (
                    <span class="muted">already a member</span>
                  ) : refused ? (
                    <span class="muted">cannot be added: {refused}</span>
                  ) : (
                    <button
                      type="button"
                      aria-label={`Add ${fullName(user)} (${user.loginEmail})`}
                      disabled={adding.busy === user.id}
                      onClick={() =>
                        adding.run(user.id, async () => {
                          setProblem(undefined);
                          try {
                            await call(api.client.PUT('/workgroups/{id}/members/{userId}', { params: { path: { id: workgroup.id, userId: user.id } } }));
                            onAdded(user);
                          } catch (error) {
                            setProblem(problemOf(error));
                          }
                        })
                      }
                    >
                      Add
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
    </section>
  );
}
