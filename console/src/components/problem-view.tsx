import type { ComponentChildren } from 'preact';
import type { Schemas } from '../../../lib/client/client';
import type { ProblemDetails } from '../api';
import { call } from '../api';
import { useConsole, useLoad } from '../context';
import { fieldLabel, fullName, plainDetail, problemExplanation, problemHeadline, statusLabel, typeLabel } from '../format';
import { Link } from './link';

/** Names a page already knows, by user id, for a problem that names users by id. */
export type KnownNames = Readonly<Record<string, string>>;

/**
 * Any failed call in plain words: the problem's `code` picks the wording and its extension
 * members (a holder, an HR id's owner, the last admin) fill it in, never a bare status or a raw
 * id. `names` are the users the page has at hand; others are read, or called "this user".
 * `children` are the remedies a page can offer right there (a transfer button, say).
 */
export function ProblemView({ problem, names = {}, children }: { problem: ProblemDetails; names?: KnownNames; children?: ComponentChildren }) {
  return (
    <div class="problem" role="alert">
      <p class="problem-title">{problemHeadline(problem)}</p>
      <Explanation problem={problem} names={names} />
      {children}
    </div>
  );
}

function Explanation({ problem, names }: { problem: ProblemDetails; names: KnownNames }) {
  switch (problem.code) {
    case 'invalid_request':
      return (
        <ul>
          {problem.errors.map((error) => (
            <li key={error.path}>
              {fieldLabel(error.path) ? <strong>{fieldLabel(error.path)}: </strong> : null}
              {plainDetail(error.message, names)}
            </li>
          ))}
        </ul>
      );
    case 'email_in_use':
      return <AddressHolder problem={problem} />;
    case 'external_id_in_use':
      return (
        <p>
          The HR id {problem.externalId} already belongs to <UserName id={problem.user.id} names={names} link />. One HR record is one person: check the id, or
          change that person instead.
        </p>
      );
    case 'workgroup_name_in_use':
      return (
        <p>
          A workgroup named “{problem.name}” already exists. Choose another name, or add the people to <Link to="/workgroups">that workgroup</Link>.
        </p>
      );
    case 'last_admin':
      return (
        <p>
          {problem.users.map((user, i) => (
            <span key={user.id}>
              {i === 0 ? '' : i === problem.users.length - 1 ? ' and ' : ', '}
              <UserName id={user.id} names={names} capital={i === 0} />
            </span>
          ))}{' '}
          {problem.users.length === 1 ? 'is the last active directory admin' : 'are the last active directory admins'}, and this would end those admin rights;
          the directory always keeps one. Grant admin rights to another active user first, then try again.
        </p>
      );
    default:
      return <p>{problemExplanation(problem, names)}</p>;
  }
}

/** A user named by the page, else read from the API (linked when asked), else "this user". */
function UserName({ id, names, link = false, capital = false }: { id: string; names: KnownNames; link?: boolean; capital?: boolean }) {
  const { api } = useConsole();
  const known = names[id];
  const [user] = useLoad(async () => (known ? undefined : call(api.client.GET('/users/{id}', { params: { path: { id } } }))), [id, known]);
  const name = known ?? (user.state === 'done' && user.data ? fullName(user.data) : capital ? 'This user' : 'this user');
  return link ? <Link to={`/users/${id}`}>{name}</Link> : name;
}

const roleWords = (usedAs: ('login' | 'contact')[]) => usedAs.map((role) => (role === 'login' ? 'login address' : 'contact address')).join(' and the ');

/** Who holds the address and how it can be freed: the API's hint, said for a person at a console. */
function AddressHolder({ problem }: { problem: Schemas['EmailInUseProblem'] }) {
  const { api } = useConsole();
  const [holder] = useLoad(() => call(api.client.GET('/users/{id}', { params: { path: { id: problem.user.id } } })), [problem.user.id]);
  const name = holder.state === 'done' ? fullName(holder.data) : 'another user';
  const status = statusLabel[problem.user.status as keyof typeof statusLabel] ?? problem.user.status;
  const type = typeLabel[problem.user.type as keyof typeof typeLabel] ?? problem.user.type;
  const dismissed = problem.user.status === 'dismissed';
  return (
    <>
      <p>
        {problem.email} is the {roleWords(problem.usedAs)} of <Link to={`/users/${problem.user.id}`}>{name}</Link> ({status.toLowerCase()} {type.toLowerCase()}
        ). {dismissed ? 'A dismissed user keeps their addresses until they are freed.' : ''}
      </p>
      <p>How to free it:</p>
      <ul>
        {dismissed ? (
          <li>Transfer the address to its new owner in one step{problem.usedAs.includes('login') ? `, giving ${name} a new login address` : ''}.</li>
        ) : null}
        {problem.usedAs.includes('contact') ? <li>Change or clear {name}'s contact address.</li> : null}
        {problem.usedAs.includes('login') ? <li>Change {name}'s login address (confirmed from the new mailbox).</li> : null}
      </ul>
    </>
  );
}
