import { useRef, useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type ProblemDetails } from '../api';
import { ActionDialog } from '../components/dialog';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { addressInput, sameAddress } from '../components/transfer-dialog';
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
  // The seed's transfer, open in its dialog, and what it achieved so far: a successor invited at an
  // interim address whose transfer was then refused stays invited, here, until the transfer is retried.
  const [transfer, setTransfer] = useState<{ holder: User; inUse: InUse } | undefined>();
  const [halfDone, setHalfDone] = useState<HalfDone | undefined>();
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
        {text('invite-login', 'Login address (the invitation is mailed here)', loginEmail, setLoginEmail, { ...addressInput, required: true })}
        {text('invite-contact', 'Contact address (optional, shown on the profile)', contactEmail, setContactEmail, addressInput)}
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
          <ProblemView problem={problem}>
            {problem.code === 'email_in_use' ? (
              <Remedies problem={problem} invitation={invitation} onTransfer={(holder) => setTransfer({ holder, inUse: problem })} />
            ) : null}
          </ProblemView>
        ) : null}
        {halfDone ? <HalfDoneNotice state={halfDone} onRetry={() => setTransfer({ holder: halfDone.holder, inUse: halfDone.inUse })} /> : null}
        <div class="actions">
          <button type="submit" disabled={busy || (type === 'extranet' && workgroupIds.length === 0)}>
            {busy ? 'Sending…' : 'Send the invitation'}
          </button>
        </div>
      </form>
      {transfer ? (
        <InviteTransferDialog
          holder={transfer.holder}
          problem={transfer.inUse}
          invitation={halfDone && sameTransfer(halfDone, transfer) ? halfDone.invitation : invitation}
          invited={halfDone && sameTransfer(halfDone, transfer) ? halfDone.invited : undefined}
          onInvited={(invited, sent) => setHalfDone({ invited, holder: transfer.holder, inUse: transfer.inUse, invitation: sent })}
          onRefused={(refusal) => setHalfDone((state) => state && { ...state, refusal })}
          onClose={() => setTransfer(undefined)}
        />
      ) : null}
    </>
  );
}

/** A successor invited for a transfer that has not happened yet (refused, or its dialog closed). */
type HalfDone = { invited: User; holder: User; inUse: InUse; invitation: Invitation; refusal?: ProblemDetails };

const sameTransfer = (state: HalfDone, transfer: { holder: User; inUse: InUse }) =>
  state.holder.id === transfer.holder.id && sameAddress(state.inUse.email, transfer.inUse.email);

/** Says what is done and what is not, with the successor's page and a retry of the transfer alone. */
function HalfDoneNotice({ state, onRetry }: { state: HalfDone; onRetry: () => void }) {
  const name = fullName(state.invited);
  return (
    <section class="notice" aria-labelledby="half-done">
      <h2 id="half-done">Invited, not transferred yet</h2>
      <p>
        {name} was invited with {state.invited.loginEmail}
        {state.refusal ? '; the transfer was refused:' : `; ${state.inUse.email} has not moved to ${state.invited.firstName} yet.`}
      </p>
      {state.refusal ? <ProblemView problem={state.refusal} names={{ [state.invited.id]: name, [state.holder.id]: fullName(state.holder) }} /> : null}
      <div class="actions">
        <button type="button" onClick={onRetry}>
          Try the transfer again
        </button>
        <Link to={`/users/${state.invited.id}`}>{name}'s page</Link>
      </div>
    </section>
  );
}

/** The one-click remedies for a held address, for this invitation. */
function Remedies({ problem, invitation, onTransfer }: { problem: InUse; invitation: Invitation; onTransfer: (holder: User) => void }) {
  const { api } = useConsole();
  const [holder] = useLoad(() => call(api.client.GET('/users/{id}', { params: { path: { id: problem.user.id } } })), [problem.user.id]);
  const [open, setOpen] = useState<'clear' | null>(null);
  if (holder.state !== 'done') return null;
  const name = fullName(holder.data);
  const onlyContact = problem.usedAs.length === 1 && problem.usedAs[0] === 'contact';
  return (
    <>
      <div class="actions">
        {holder.data.status === 'dismissed' ? (
          <button type="button" onClick={() => onTransfer(holder.data)}>
            Transfer the address from {name}
          </button>
        ) : null}
        {onlyContact ? (
          <button type="button" onClick={() => setOpen('clear')}>
            Clear {name}'s contact address, then invite
          </button>
        ) : null}
      </div>
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
 * address moves to them in one call. Two calls: if the transfer is refused, the successor stays
 * invited (`onInvited` tells the page, which keeps it past this dialog), and a retry, here or
 * from the page, only transfers.
 */
function InviteTransferDialog({
  holder,
  problem,
  invitation,
  invited,
  onInvited,
  onRefused,
  onClose,
}: {
  holder: User;
  problem: InUse;
  invitation: Invitation;
  /** Invited already, on an earlier try whose transfer did not happen. */
  invited: User | undefined;
  onInvited: (invited: User, invitation: Invitation) => void;
  onRefused: (refusal: ProblemDetails) => void;
  onClose: () => void;
}) {
  const { api } = useConsole();
  const as: 'login' | 'contact' = sameAddress(problem.email, invitation.loginEmail) ? 'login' : 'contact';
  const contact = invitation.contactEmail ?? '';
  const [interim, setInterim] = useState(as === 'login' && !sameAddress(contact, problem.email) ? contact : '');
  const [replacement, setReplacement] = useState('');
  // Within this dialog too: the page's state arrives with the next render, a retry may come first.
  const successor = useRef<User | undefined>(invited);
  const holderName = fullName(holder);
  const newName = `${invitation.firstName} ${invitation.lastName}`.trim();
  const holderLogin = problem.usedAs.includes('login');
  const first: Invitation = as === 'login' ? { ...invitation, loginEmail: interim.trim() } : (({ contactEmail: _, ...rest }) => rest)(invitation);
  const interimWords = invited ? invited.loginEmail : interim.trim();
  return (
    <ActionDialog
      title={`Transfer ${problem.email} from ${holderName}`}
      onClose={onClose}
      onDone={() => undefined}
      step={{
        ready: (invited !== undefined || as === 'contact' || interim.trim() !== '') && (!holderLogin || replacement.trim() !== ''),
        names: { [holder.id]: holderName, ...(successor.current ? { [successor.current.id]: newName } : {}) },
        form: (
          <>
            <p>
              {problem.email} is {holderName}'s {problem.usedAs.join(' and ')} address; {holderName} is dismissed, so it can move to {newName}.
            </p>
            {invited ? (
              <p>
                {newName} was invited already, with {invited.loginEmail}: only the transfer is left to do.
              </p>
            ) : as === 'login' ? (
              <div>
                <label for="interim-login">Address {invitation.firstName}'s invitation goes to</label>
                <input
                  id="interim-login"
                  {...addressInput}
                  required
                  value={interim}
                  onInput={(event) => setInterim((event.target as HTMLInputElement).value)}
                />
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
                  {...addressInput}
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
            {invited ? (
              <li>
                {newName} stays invited with {invited.loginEmail} (no new invitation).
              </li>
            ) : (
              <li>
                {newName} is invited {as === 'login' ? `with ${interim.trim()}, where the invitation is mailed` : 'without a contact address'}.
              </li>
            )}
            <li>
              {invited ? '' : 'Then '}
              {problem.email} moves from {holderName} to {newName} as {as} address, in one step
              {as === 'login' && !sameAddress(interimWords, contact) ? `; ${interimWords} is freed again` : ''}.
            </li>
            {holderLogin ? (
              <li>
                {holderName}'s login becomes {replacement.trim()}.
              </li>
            ) : null}
            {problem.usedAs.includes('contact') ? <li>{holderName}'s contact address is cleared.</li> : null}
          </ul>
        ),
        confirmLabel: invited ? 'Transfer the address' : 'Invite and transfer',
        run: async () => {
          if (!successor.current) {
            successor.current = await call(api.client.POST('/users', { body: first }));
            onInvited(successor.current, invitation);
          }
          const to = successor.current;
          try {
            const moved = await call(
              api.client.POST('/emails/{email}/transfer', {
                params: { path: { email: problem.email } },
                body: { toUserId: to.id, as, ...(holderLogin ? { replacementLoginEmail: replacement.trim() } : {}) },
              }),
            );
            opened(
              moved.to,
              `${newName} is invited (the invitation was mailed to ${to.loginEmail}); ${problem.email} is now their ${as} address, moved from ${holderName}.`,
            );
          } catch (error) {
            onRefused(problemOf(error));
            throw error;
          }
          return '';
        },
      }}
    />
  );
}
