import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../lib/client/client';
import { call } from '../api';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { useConsole, useLoad } from '../context';
import { fullName, resultLine, statusLabel, typeLabel } from '../format';
import { navigate, type Location } from '../router';

const PAGE_SIZE = 25;
const statuses = ['invited', 'active', 'dismissed'] as const;
const types = ['employee', 'extranet'] as const;

type Filters = { q: string; status: User['status'] | ''; type: User['type'] | '' };

function filtersOf(query: URLSearchParams): Filters {
  const status = query.get('status') ?? '';
  const type = query.get('type') ?? '';
  return {
    q: query.get('q') ?? '',
    status: (statuses as readonly string[]).includes(status) ? (status as User['status']) : '',
    type: (types as readonly string[]).includes(type) ? (type as User['type']) : '',
  };
}

/**
 * The filters live in the address, so a search can be bookmarked and Back returns to it. Each
 * control changes only its own filter, on the address as it is now: a search typed a moment ago
 * never resets a status picked since.
 */
function show(changes: Partial<Filters>) {
  const query = new URLSearchParams(location.search);
  for (const [name, value] of Object.entries(changes)) {
    if (value) query.set(name, value);
    else query.delete(name);
  }
  const search = query.toString();
  navigate(search ? `/?${search}` : '/', { replace: true });
}

/**
 * Everyone in the directory: found by the start of a first, last or full name or of either
 * address (`GET /users?q=`), narrowed by status and type, a page at a time with the API's cursor.
 */
export function UsersPage({ where }: { where: Location }) {
  const { api } = useConsole();
  const filters = filtersOf(where.query);
  const [typed, setTyped] = useState(filters.q);
  // Cursors of the pages before this one: Previous goes back without the API paging backwards.
  // A cursor belongs to its query (the API refuses it with other filters): new filters, first page.
  const key = `${filters.q}|${filters.status}|${filters.type}`;
  const [paging, setPaging] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = paging.key === key ? paging.cursors : [undefined];
  const setCursors = (next: (string | undefined)[]) => setPaging({ key, cursors: next });
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    if (typed.trim() === filters.q) return;
    const timer = setTimeout(() => show({ q: typed.trim() }), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const [page] = useLoad(
    () =>
      call(
        api.client.GET('/users', {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.status ? { status: filters.status } : {}),
              ...(filters.type ? { type: filters.type } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    [key, cursor],
  );
  const pageNumber = cursors.length;
  return (
    <>
      <PageHeading>Users</PageHeading>
      <form
        class="filters"
        aria-label="Find users"
        onSubmit={(event) => {
          event.preventDefault();
          show({ q: typed.trim() });
        }}
      >
        <div class="field grow">
          <label for="user-search">Find by the start of a name or address</label>
          <input
            id="user-search"
            type="search"
            value={typed}
            autoComplete="off"
            spellcheck={false}
            onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="user-status">Status</label>
          <select
            id="user-status"
            value={filters.status}
            onChange={(event) => show({ status: (event.target as HTMLSelectElement).value as Filters['status'] })}
          >
            <option value="">Any status</option>
            {statuses.map((status) => (
              <option key={status} value={status}>
                {statusLabel[status]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="user-type">Type</label>
          <select id="user-type" value={filters.type} onChange={(event) => show({ type: (event.target as HTMLSelectElement).value as Filters['type'] })}>
            <option value="">Any type</option>
            {types.map((type) => (
              <option key={type} value={type}>
                {typeLabel[type]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </form>
      <p>
        <Link to="/users/invite">Invite someone</Link>
      </p>
      {page.state === 'loading' ? (
        <p role="status" class="muted">
          Loading users…
        </p>
      ) : null}
      {page.state === 'failed' ? <ProblemView problem={page.problem} /> : null}
      {page.state === 'done' ? (
        <>
          <p role="status" class="muted">
            {resultLine(page.data.items.length, Boolean(page.data.nextCursor), pageNumber, filters.q)}
          </p>
          <ul class="results" aria-label="Users found">
            {page.data.items.map((user) => (
              <li key={user.id}>
                <Link to={`/users/${user.id}`}>{fullName(user)}</Link>
                <span class="address">{user.loginEmail}</span>
                <span class="badges">
                  <span class={`badge ${user.status}`}>{statusLabel[user.status]}</span>
                  <span class="badge">{typeLabel[user.type]}</span>
                  {user.isAdmin ? <span class="badge admin">Admin</span> : null}
                </span>
              </li>
            ))}
          </ul>
          <div class="pager">
            <button type="button" disabled={pageNumber === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <button type="button" disabled={!page.data.nextCursor} onClick={() => page.data.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
              Next page
            </button>
          </div>
        </>
      ) : null}
    </>
  );
}
