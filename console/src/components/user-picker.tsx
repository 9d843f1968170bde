import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../lib/client/client';
import { call } from '../api';
import { useConsole, useLoad } from '../context';
import { fullName, statusLabel } from '../format';
import { ProblemView } from './problem-view';

let pickers = 0;

/** How many users of each status the picker offers at once, and how many pages it reads to find them. */
const CHOICES = 10;
const MAX_PAGES = 20;

/**
 * Picks one user by the start of their name or address (`GET /users?q=`), as radio buttons
 * named "First Last (login)", so a screen reader hears whom each choice is. `statuses` narrows
 * to the users an action may name (a delegate must be active).
 */
export function UserPicker({
  label,
  statuses,
  exclude = [],
  chosen,
  onChoose,
}: {
  label: string;
  statuses: User['status'][];
  exclude?: string[];
  chosen: User | undefined;
  onChoose: (user: User | undefined) => void;
}) {
  const { api } = useConsole();
  const [id] = useState(() => `picker-${++pickers}`);
  /**
   * Up to CHOICES users of one status: the search may answer a short or empty page that still has
   * a next one (its status filter applies to what the index returns), so pages are read until
   * there are enough or none follows (at most MAX_PAGES, then "type more").
   */
  const findWithStatus = async (q: string, status: User['status']) => {
    const users: User[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const answer = await call(api.client.GET('/users', { params: { query: { q, status, limit: CHOICES - users.length, ...(cursor ? { cursor } : {}) } } }));
      users.push(...answer.items);
      cursor = answer.nextCursor ?? undefined;
      if (!cursor || users.length >= CHOICES) break;
    }
    return { users, more: cursor !== undefined };
  };
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useLoad(async () => {
    if (!q) return { users: [], more: false };
    const answers = await Promise.all(statuses.map((status) => findWithStatus(q, status)));
    return {
      users: answers.flatMap((answer) => answer.users).filter((user) => !exclude.includes(user.id)),
      more: answers.some((answer) => answer.more),
    };
  }, [q]);
  return (
    <fieldset>
      <legend>{label}</legend>
      <label for={id}>Find by the start of a name or address</label>
      <input
        id={id}
        type="search"
        value={typed}
        autoComplete="off"
        spellcheck={false}
        onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
      />
      {found.state === 'failed' ? <ProblemView problem={found.problem} /> : null}
      <div role="status" class="hint">
        {!q
          ? chosen
            ? ''
            : 'Type a name to see who can be chosen.'
          : found.state === 'done' && found.data.users.length === 0 && !found.data.more
            ? `Nobody who can be chosen starts with “${q}”.`
            : found.state === 'done' && found.data.more
              ? `More people start with “${q}” than are shown: type more of the name or address.`
              : ''}
      </div>
      {chosen && !(found.state === 'done' && found.data.users.some((user) => user.id === chosen.id)) ? (
        <label class="choice">
          <input type="radio" name={id} checked onChange={() => onChoose(chosen)} />
          {choiceName(chosen)}
        </label>
      ) : null}
      {found.state === 'done'
        ? found.data.users.map((user) => (
            <label class="choice" key={user.id}>
              <input type="radio" name={id} checked={chosen?.id === user.id} onChange={() => onChoose(user)} />
              {choiceName(user)}
            </label>
          ))
        : null}
    </fieldset>
  );
}

const choiceName = (user: User) => `${fullName(user)} (${user.loginEmail})${user.status === 'active' ? '' : `, ${statusLabel[user.status].toLowerCase()}`}`;
