import { useEffect, useState } from 'preact/hooks';
import type { User } from '../../../lib/client/client';
import { call } from '../api';
import { useConsole, useLoad } from '../context';
import { fullName, statusLabel } from '../format';
import { ProblemView } from './problem-view';

let pickers = 0;

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
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 250);
    return () => clearTimeout(timer);
  }, [typed]);
  const [found] = useLoad(async () => {
    if (!q) return [];
    const pages = await Promise.all(statuses.map((status) => call(api.client.GET('/users', { params: { query: { q, status, limit: 10 } } }))));
    return pages.flatMap((page) => page.items).filter((user) => !exclude.includes(user.id));
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
          : found.state === 'done' && found.data.length === 0
            ? `Nobody who can be chosen starts with “${q}”.`
            : ''}
      </div>
      {chosen && !(found.state === 'done' && found.data.some((user) => user.id === chosen.id)) ? (
        <label class="choice">
          <input type="radio" name={id} checked onChange={() => onChoose(chosen)} />
          {choiceName(chosen)}
        </label>
      ) : null}
      {found.state === 'done'
        ? found.data.map((user) => (
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
