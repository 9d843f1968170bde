import type { ComponentChildren } from 'preact';
import type { Schemas } from '../../../lib/client/client';
import type { ProblemDetails } from '../api';
import { call } from '../api';
import { useConsole, useLoad } from '../context';
import { fieldLabel, fullName, statusLabel, typeLabel } from '../format';
import { Link } from './link';

/**
 * Any failed call in plain words: what the API's problem document says (its `code` picks the
 * wording; `detail`, per-field `errors` and the holder of an address fill it in), never a bare
 * status. `children` are the remedies a page can offer right there (a transfer button, say).
 */
export function ProblemView({ problem, children }: { problem: ProblemDetails; children?: ComponentChildren }) {
  return (
    <div class="problem" role="alert">
      <p class="problem-title">{headline(problem)}</p>
      <Explanation problem={problem} />
      {children}
    </div>
  );
}

function headline(problem: ProblemDetails): string {
  switch (problem.code) {
    case 'unreachable':
      return 'The directory could not be reached';
    case 'gateway':
      return problem.status === 429 ? 'Too many requests just now' : 'The directory could not answer';
    case 'invalid_request':
      return 'Some of what you entered cannot be used';
    case 'unauthorized':
      return 'You are signed out';
    case 'forbidden':
      return 'Only a directory admin can do this';
    case 'not_found':
      return 'Not found';
    case 'email_in_use':
      return 'This address is already in use';
    case 'busy':
      return 'Someone else is changing this right now';
    case 'internal':
      return 'Something went wrong in the directory';
    default:
      return problem.title ?? 'The directory refused this';
  }
}

function Explanation({ problem }: { problem: ProblemDetails }) {
  switch (problem.code) {
    case 'invalid_request':
      return (
        <ul>
          {problem.errors.map((error) => (
            <li key={error.path}>
              {fieldLabel(error.path) ? <strong>{fieldLabel(error.path)}: </strong> : null}
              {error.message}
            </li>
          ))}
        </ul>
      );
    case 'email_in_use':
      return <AddressHolder problem={problem} />;
    case 'unauthorized':
      return <p>Your sign-in has expired or was not accepted. Sign in again to continue.</p>;
    case 'busy':
      return <p>{problem.detail} Wait a moment and try again.</p>;
    case 'internal':
      return <p>Nothing was revealed about the cause. Try again; if it keeps failing, the server's logs say why.</p>;
    case 'gateway':
      return <p>{problem.status === 429 ? 'Wait a moment and try again.' : problem.detail}</p>;
    default:
      return <p>{problem.detail}</p>;
  }
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
