import { useRef, useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type ProblemDetails } from '../api';
import { ActionDialog } from '../components/dialog';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { sameAddress } from '../components/transfer-dialog';
import { problemOf, useConsole, useLoad } from '../context';
import { fullName } from '../format';
import { setOutcome } from '../outcome';
import { navigate } from '../router';
import '../actions.css';

type Invitation = Schemas['InviteUser'];
type InUse = Schemas['EmailInUseProblem'];

const invitedWords = (user: User) => `${fullName(user)} is invited: the invitation was mailed to ${user.loginEmail}.`;

function opened(user: User, text: string) {
  setOutcome(user.id, text);
  navigate(`/users/${user.id}`);
}

/**
 * Invite an employee or an extranet user (who belongs to at least one extranet workgroup). A
 * refusal because an address is held says by whom and offers the remedy the API's hint names:
 * transfer it from a dismissed holder, or clear the holder's contact address, then invite.
 */
export function InvitePage() {
  const { api } = useConsole();
  const [type, setType] = useState<Invitation['type']>('employee');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [loginEmail, setLoginEmail] = useState('');
  const [contactEmail, setContactEmail] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [groups] = useLoad(async () => (await call(api.client.GET('/workgroups', { params: { query: { limit: 100 } } }))).items, []);
  const offered = groups.state === 'done' ? groups.data.filter((workgroup) => workgroup.extranet === (type === 'extranet')) : [];
  const workgroupIds = chosen.filter((id) => offered.some((workgroup) => workgroup.id === id));
  const invitation: Invitation = {
    type,
    firstName: firstName.trim(),
    lastName: lastName.trim(),
    loginEmail: loginEmail.trim(),
    ...(contactEmail.trim() ? { contactEmail: contactEmail.trim() } : {}),
    ...(workgroupIds.length ? { workgroupIds } : {}),
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const user = await call(api.client.POST('/users', { body: invitation }));
      opened(user, invitedWords(user));
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  };
  const text = (id: string, label: string, value: string, set: (value: string) => void, attrs: Record<string, unknown> = {}) => (
    <div>
      <label for={id}>{label}</label>
      <input id={id} value={value} onInput={(event) => set((event.target as HTMLInputElement).value)} {...attrs} />
    </div>
  );
  return (
    <>
      <PageHeading>Invite someone</PageHeading>
      <form class="stack invite" onSubmit={submit} aria-label="Invitation">
        <fieldset>
          <legend>Type</legend>
          <label class="choice">
            <input type="radio" name="invite-type" checked={type === 'employee'} onChange={() => setType('employee')} />
            Employee (intranet)
          </label>
          <label class="choice">
            <input type="radio" name="invite-type" checked={type === 'extranet'} onChange={() => setType('extranet')} />
            Extranet user (external, in extranet workgroups only)
          </label>
        </fieldset>
        {text('invite-first', 'First name', firstName, setFirstName, { required: true, autoComplete: 'off' })}
        {text('invite-last', 'Last name', lastName, setLastName, { required: true, autoComplete: 'off' })}
        {text('invite-login', 'Login address (the invitation is mailed here)', loginEmail, setLoginEmail, {
          type: 'email',
          required: true,
          autoComplete: 'off',
        })}
        {text('invite-contact', 'Contact address (optional, shown on the profile)', contactEmail, setContactEmail, { type: 'email', autoComplete: 'off' })}
        <fieldset>
          <legend>{type === 'extranet' ? 'Extranet workgroups (at least one)' : 'Workgroups (optional)'}</legend>
          {groups.state === 'failed' ? <ProblemView problem={groups.problem} /> : null}
          {groups.state === 'done' && offered.length === 0 ? (
            <p class="hint">{type === 'extranet' ? 'The directory has no extranet workgroup yet: create one first.' : 'No intranet workgroups.'}</p>
          ) : null}
          {offered.map((workgroup) => (
            <label class="choice" key={workgroup.id}>
              <input
                type="checkbox"
                checked={chosen.includes(workgroup.id)}
                onChange={(event) => {
                  const on = (event.target as HTMLInputElement).checked;
                  setChosen((now) => (on ? [...now, workgroup.id] : now.filter((id) => id !== workgroup.id)));
                }}
              />
              {workgroup.name}
            </label>
          ))}
        </fieldset>
        {problem ? (
          <ProblemView problem={problem}>{problem.code === 'email_in_use' ? <Remedies problem={problem} invitation={invitation} /> : null}</ProblemView>
        ) : null}
        <div class="actions">
          <button type="submit" disabled={busy || (type === 'extranet' && workgroupIds.length === 0)}>
            {busy ? 'Sending…' : 'Send the invitation'}
          </button>
        </div>
      </form>
    </>
  );
}

/** The one-click remedies for a held address, for this invitation. */
function Remedies({ problem, invitation }: { problem: InUse; invitation: Invitation }) {
  const { api } = useConsole();
  const [holder] = useLoad(() => call(api.client.GET('/users/{id}', { params: { path: { id: problem.user.id } } })), [problem.user.id]);
  const [open, setOpen] = useState<'transfer' | 'clear' | null>(null);
  if (holder.state !== 'done') return null;
  const name = fullName(holder.data);
  const onlyContact = problem.usedAs.length === 1 && problem.usedAs[0] === 'contact';
  return (
    <>
      <div class="actions">
        {holder.data.status === 'dismissed' ? (
          <button type="button" onClick={() => setOpen('transfer')}>
            Transfer the address from {name}
          </button>
        ) : null}
        {onlyContact ? (
          <button type="button" onClick={() => setOpen('clear')}>
            Clear {name}'s contact address, then invite
          </button>
        ) : null}
      </div>
      {open === 'transfer' ? <InviteTransferDialog holder={holder.data} problem={problem} invitation={invitation} onClose={() => setOpen(null)} /> : null}
      {open === 'clear' ? (
        <ActionDialog
          title={`Clear ${name}'s contact address`}
          onClose={() => setOpen(null)}
          onDone={() => undefined}
          step={{
            review: (
              <p>
                {problem.email} stops being {name}'s contact address ({name} is left without one), then {invitation.firstName} {invitation.lastName} is invited
                with it.
              </p>
            ),
            confirmLabel: 'Clear it and invite',
            run: async () => {
              await call(api.client.PUT('/users/{id}/contact-email', { params: { path: { id: holder.data.id } }, body: { email: null } }));
              const invited = await call(api.client.POST('/users', { body: invitation }));
              opened(invited, `${invitedWords(invited)} ${problem.email} was freed from ${name}'s profile first.`);
              return '';
            },
          }}
        />
      ) : null}
    </>
  );
}

/**
 * The seed's case: the successor is to have a dismissed user's address. The transfer moves an
 * address to an existing user, so the successor is invited first without it (with a login of
 * their own, where the invitation goes, if the held address was to be their login), then the
 * address moves to them in one call.
 */
function InviteTransferDialog({ holder, problem, invitation, onClose }: { holder: User; problem: InUse; invitation: Invitation; onClose: () => void }) {
  const { api } = useConsole();
  const as: 'login' | 'contact' = sameAddress(problem.email, invitation.loginEmail) ? 'login' : 'contact';
  const contact = invitation.contactEmail ?? '';
  const [interim, setInterim] = useState(as === 'login' && !sameAddress(contact, problem.email) ? contact : '');
  const [replacement, setReplacement] = useState('');
  // Invited already on an earlier try whose transfer was refused: a retry only transfers.
  const invited = useRef<User | undefined>(undefined);
  const holderName = fullName(holder);
  const newName = `${invitation.firstName} ${invitation.lastName}`.trim();
  const holderLogin = problem.usedAs.includes('login');
  const first: Invitation = as === 'login' ? { ...invitation, loginEmail: interim.trim() } : (({ contactEmail: _, ...rest }) => rest)(invitation);
  return (
    <ActionDialog
      title={`Transfer ${problem.email} from ${holderName}`}
      onClose={onClose}
      onDone={() => undefined}
      step={{
        ready: (as === 'contact' || interim.trim() !== '') && (!holderLogin || replacement.trim() !== ''),
        form: (
          <>
            <p>
              {problem.email} is {holderName}'s {problem.usedAs.join(' and ')} address; {holderName} is dismissed, so it can move to {newName}.
            </p>
            {as === 'login' ? (
              <div>
                <label for="interim-login">Address {invitation.firstName}'s invitation goes to</label>
                <input id="interim-login" type="email" required value={interim} onInput={(event) => setInterim((event.target as HTMLInputElement).value)} />
                <p class="hint">
                  {invitation.firstName} is invited with it, then signs in with {problem.email} once it is transferred.
                </p>
              </div>
            ) : null}
            {holderLogin ? (
              <div>
                <label for="holder-replacement">{holderName}'s new login address</label>
                <input
                  id="holder-replacement"
                  type="email"
                  required
                  value={replacement}
                  onInput={(event) => setReplacement((event.target as HTMLInputElement).value)}
                />
                <p class="hint">A dismissed user still needs a login; no mail is sent to it.</p>
              </div>
            ) : null}
          </>
        ),
        review: (
          <ul>
            <li>
              {newName} is invited {as === 'login' ? `with ${interim.trim()}, where the invitation is mailed` : 'without a contact address'}.
            </li>
            <li>
              Then {problem.email} moves from {holderName} to {newName} as {as} address, in one step
              {as === 'login' && !sameAddress(interim, contact) ? `; ${interim.trim()} is freed again` : ''}.
            </li>
            {holderLogin ? (
              <li>
                {holderName}'s login becomes {replacement.trim()}.
              </li>
            ) : null}
            {problem.usedAs.includes('contact') ? <li>{holderName}'s contact address is cleared.</li> : null}
          </ul>
        ),
        confirmLabel: 'Invite and transfer',
        run: async () => {
          invited.current ??= await call(api.client.POST('/users', { body: first }));
          const moved = await call(
            api.client.POST('/emails/{email}/transfer', {
              params: { path: { email: problem.email } },
              body: { toUserId: invited.current.id, as, ...(holderLogin ? { replacementLoginEmail: replacement.trim() } : {}) },
            }),
          );
          opened(
            moved.to,
            `${newName} is invited (the invitation was mailed to ${invited.current.loginEmail}); ${problem.email} is now their ${as} address, moved from ${holderName}.`,
          );
          return '';
        },
      }}
    />
  );
}
