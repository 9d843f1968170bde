import { useEffect, useRef, useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call, type ProblemDetails } from '../api';
import { ActionDialog, FormDialog } from '../components/dialog';
import { Link } from '../components/link';
import { ProblemView } from '../components/problem-view';
import { addressInput, loginMovedAway, TransferDialog, transferable } from '../components/transfer-dialog';
import { UserPicker } from '../components/user-picker';
import { problemOf, useConsole, useLoad } from '../context';
import { formatTime, fullName } from '../format';
import { setOutcome, takeOutcome } from '../outcome';

type Open = 'dismiss' | 'contact' | 'login' | 'transfer' | 'extranet' | 'erase' | null;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * What an admin can do to one person, offered by their status: each change is one API call, and
 * the page is read again after it, so it shows the directory's state. Destructive changes
 * (dismiss, transfer, move, erase) say what will happen and wait for a confirmation.
 */
export function PersonActions({ user, onChanged }: { user: User; onChanged: () => void }) {
  const { api } = useConsole();
  const [open, setOpen] = useState<Open>(null);
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const [busy, setBusy] = useState(false);
  const [outcome] = useState(() => takeOutcome(user.id));
  const said = useRef<HTMLParagraphElement>(null);
  useEffect(() => said.current?.focus(), []);
  const name = fullName(user);
  const done = (text: string) => {
    setOpen(null);
    setOutcome(user.id, text);
    onChanged();
  };
  /** A change with no inputs and nothing to undo carefully: straight to the API, refusals shown here. */
  const now = async (work: () => Promise<string>) => {
    setBusy(true);
    setProblem(undefined);
    try {
      done(await work());
    } catch (error) {
      setProblem(problemOf(error));
      setBusy(false);
    }
  };
  const path = { params: { path: { id: user.id } } };
  const close = () => setOpen(null);
  const swept = !!user.sweptAt;
  // The profile an employee left behind moving to extranet with their login: it has no login of
  // its own (a placeholder), so it cannot be rehired, sign in or hand over an address it lacks.
  const movedAway = loginMovedAway(user);
  const names = { [user.id]: name };
  return (
    <section aria-labelledby="actions">
      <h2 id="actions">Actions</h2>
      {outcome ? (
        <p class="outcome" role="status" tabIndex={-1} ref={said}>
          {outcome}
        </p>
      ) : null}
      {problem ? <ProblemView problem={problem} names={names} /> : null}
      {movedAway ? null : <PendingLoginChange user={user} />}
      {user.handoverJobId ? <HandoverProgress jobId={user.handoverJobId} fromUserId={user.id} onFinished={onChanged} /> : null}
      {movedAway ? (
        <p class="notice">
          {user.firstName}'s login moved to the extranet account (linked in Details above), so this profile cannot be rehired, sign in or change its login: work
          with the extranet account instead.
        </p>
      ) : null}
      {!swept && !movedAway && user.status === 'dismissed' && user.type === 'employee' && !user.movedToUserId ? (
        <p class="hint">
          To move {name} to extranet: rehire {user.firstName} first, then choose Move to extranet. Keeping the login moves {user.loginEmail} to the extranet
          account in the same step, and this profile is dismissed again.
        </p>
      ) : null}
      {swept ? (
        <p class="muted">This account was anonymised; nothing more can be done with it.</p>
      ) : (
        <div class="actions">
          {user.status === 'active' ? (
            <button type="button" class="danger" onClick={() => setOpen('dismiss')}>
              {user.scheduledDismissalAt ? 'Dismiss now or on another date' : 'Dismiss'}
            </button>
          ) : null}
          {user.status === 'active' && user.scheduledDismissalAt ? (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() =>
                now(async () => {
                  // The API cancels a scheduled dismissal by a rehire of the still active user.
                  await call(api.client.POST('/users/{id}/rehire', path));
                  return `The dismissal of ${name} scheduled for ${formatTime(user.scheduledDismissalAt)} is cancelled; ${user.firstName} stays active.`;
                })
              }
            >
              Cancel the scheduled dismissal
            </button>
          ) : null}
          {user.status === 'dismissed' && !movedAway ? (
            <button
              type="button"
              disabled={busy}
              onClick={() =>
                now(async () => {
                  await call(api.client.POST('/users/{id}/rehire', path));
                  return `${name} is rehired: active again with the same addresses. Admin rights are not restored; grant them again if needed.`;
                })
              }
            >
              Rehire
            </button>
          ) : null}
          <button type="button" class="secondary" onClick={() => setOpen('contact')}>
            Change the contact address
          </button>
          {movedAway ? null : (
            <button type="button" class="secondary" onClick={() => setOpen('login')}>
              Request a login change
            </button>
          )}
          {user.status === 'dismissed' && transferable(user).length > 0 ? (
            <button type="button" class="danger" onClick={() => setOpen('transfer')}>
              Transfer an address
            </button>
          ) : null}
          {user.status === 'active' && user.type === 'employee' ? (
            <button type="button" class="danger" onClick={() => setOpen('extranet')}>
              Move to extranet
            </button>
          ) : null}
          {user.isAdmin || user.status === 'active' ? (
            <button
              type="button"
              class="secondary"
              disabled={busy}
              onClick={() =>
                now(async () => {
                  await call(api.client.PUT('/users/{id}/admin', { ...path, body: { isAdmin: !user.isAdmin } }));
                  return user.isAdmin ? `${name} is no longer a directory admin.` : `${name} is now a directory admin.`;
                })
              }
            >
              {user.isAdmin ? 'Revoke admin rights' : 'Grant admin rights'}
            </button>
          ) : null}
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() =>
              now(async () => {
                await call(api.client.PUT('/users/{id}/legal-hold', { ...path, body: { legalHold: !user.legalHold } }));
                return user.legalHold ? `The legal hold on ${name} is lifted.` : `${name} is on legal hold: exempt from cleanup and erasure.`;
              })
            }
          >
            {user.legalHold ? 'Lift the legal hold' : 'Place on legal hold'}
          </button>
          {user.status === 'dismissed' && !user.legalHold ? (
            <button type="button" class="danger" onClick={() => setOpen('erase')}>
              Erase
            </button>
          ) : null}
        </div>
      )}
      {open === 'dismiss' ? <DismissDialog user={user} onClose={close} onDone={done} /> : null}
      {open === 'contact' ? <ContactDialog user={user} onClose={close} onDone={done} /> : null}
      {open === 'login' ? <LoginChangeDialog user={user} onClose={close} onDone={done} /> : null}
      {open === 'transfer' ? <TransferDialog holder={user} onClose={close} onDone={(text) => done(text)} /> : null}
      {open === 'extranet' ? <ExtranetDialog user={user} onClose={close} onDone={done} /> : null}
      {open === 'erase' ? (
        <ActionDialog
          title={`Erase ${name}`}
          onClose={close}
          onDone={done}
          step={{
            review: (
              <p>
                {name}'s personal data is anonymised now, and{' '}
                {user.contactEmail ? `both addresses (${user.loginEmail}, ${user.contactEmail}) are` : `the address ${user.loginEmail} is`} released for anyone
                to use. The audit trail stays. This cannot be undone.
              </p>
            ),
            confirmLabel: `Erase ${name}`,
            names,
            run: async () => {
              await call(api.client.POST('/users/{id}/erase', path));
              return `${name}'s account is erased: personal data anonymised, addresses released.`;
            },
          }}
        />
      ) : null}
    </section>
  );
}

type DialogProps = { user: User; onClose: () => void; onDone: (outcome: string) => void };

/** `datetime-local`'s value for a time: local wall-clock minutes, no zone. */
function localInput(time: Date): string {
  const local = new Date(time.getTime() - time.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

function DismissDialog({ user, onClose, onDone }: DialogProps) {
  const { api } = useConsole();
  const [when, setWhen] = useState<'now' | 'later'>('now');
  const [at, setAt] = useState(() => localInput(new Date(Date.now() + 86_400_000)));
  const [delegate, setDelegate] = useState<User | undefined>();
  const [work] = useLoad(() => call(api.client.GET('/users/{id}/work', { params: { path: { id: user.id } } })), [user.id]);
  const name = fullName(user);
  const effective = when === 'later' ? new Date(at) : undefined;
  const validDate = !effective || (!Number.isNaN(effective.getTime()) && effective.getTime() > Date.now());
  const workWords =
    work.state === 'done'
      ? `${plural(work.data.openTasks, 'open task', 'open tasks')} and ${plural(work.data.openActivities, 'open CRM activity', 'open CRM activities')}`
      : 'open tasks and CRM activities';
  const review = (
    <>
      <p>
        {effective ? `On ${formatTime(effective.toISOString())}, ` : 'Now, '}
        {name} is dismissed:
      </p>
      <ul>
        <li>{delegate ? `${name}'s ${workWords} go to ${fullName(delegate)}.` : `${name}'s ${workWords} stay assigned to them: no delegate is named.`}</li>
        <li>{user.firstName} can no longer sign in.</li>
        {user.isAdmin ? <li>{user.firstName}'s admin rights end (a rehire does not restore them).</li> : null}
        <li>
          {user.firstName} keeps {user.contactEmail ? 'both addresses' : 'the login address'} until they are transferred or changed.
        </li>
      </ul>
    </>
  );
  return (
    <ActionDialog
      title={`Dismiss ${name}`}
      onClose={onClose}
      onDone={onDone}
      step={{
        ready: validDate,
        form: (
          <>
            <fieldset>
              <legend>When</legend>
              <label class="choice">
                <input type="radio" name="dismiss-when" checked={when === 'now'} onChange={() => setWhen('now')} />
                Now
              </label>
              <label class="choice">
                <input type="radio" name="dismiss-when" checked={when === 'later'} onChange={() => setWhen('later')} />
                On a date
              </label>
              {when === 'later' ? (
                <div>
                  <label for="dismiss-at">Dismissal date and time</label>
                  <input id="dismiss-at" type="datetime-local" value={at} required onInput={(event) => setAt((event.target as HTMLInputElement).value)} />
                  {validDate ? null : <p class="hint">Pick a time in the future.</p>}
                </div>
              ) : null}
            </fieldset>
            <UserPicker
              label={`Delegate for ${name}'s open work (optional)`}
              statuses={['active']}
              exclude={[user.id]}
              chosen={delegate}
              onChoose={setDelegate}
            />
            <p class="hint">{work.state === 'done' ? `${name} has ${workWords}.` : ''}</p>
          </>
        ),
        review,
        confirmLabel: `Dismiss ${name}`,
        names: { [user.id]: name, ...(delegate ? { [delegate.id]: fullName(delegate) } : {}) },
        run: async () => {
          const dismissed = await call(
            api.client.POST('/users/{id}/dismiss', {
              params: { path: { id: user.id } },
              body: { ...(delegate ? { delegateId: delegate.id } : {}), ...(effective ? { effectiveAt: effective.toISOString() } : {}) },
            }),
          );
          if (dismissed.scheduledDismissalAt) return `${name}'s dismissal is scheduled for ${formatTime(dismissed.scheduledDismissalAt)}.`;
          return delegate ? `${name} is dismissed; their open work is being handed to ${fullName(delegate)}.` : `${name} is dismissed.`;
        },
      }}
    />
  );
}

function ContactDialog({ user, onClose, onDone }: DialogProps) {
  const { api } = useConsole();
  const [email, setEmail] = useState('');
  const name = fullName(user);
  const set = (value: string | null) => async () => {
    const changed = await call(api.client.PUT('/users/{id}/contact-email', { params: { path: { id: user.id } }, body: { email: value } }));
    const freed = user.contactEmail ? ` ${user.contactEmail} is free again.` : '';
    return changed.contactEmail ? `${name}'s contact address is now ${changed.contactEmail}.${freed}` : `${name}'s contact address is cleared.${freed}`;
  };
  return (
    <FormDialog
      title={`Change ${name}'s contact address`}
      names={{ [user.id]: name }}
      submitLabel="Save the contact address"
      ready={email.trim() !== ''}
      run={set(email.trim())}
      onClose={onClose}
      onDone={onDone}
      extra={user.contactEmail ? { label: 'Clear the contact address', run: set(null) } : undefined}
    >
      <p>Now: {user.contactEmail ?? 'none'}. The old address is freed in the same change.</p>
      <div>
        <label for="contact-email">New contact address</label>
        <input id="contact-email" {...addressInput} value={email} onInput={(event) => setEmail((event.target as HTMLInputElement).value)} />
      </div>
    </FormDialog>
  );
}

function LoginChangeDialog({ user, onClose, onDone }: DialogProps) {
  const { api } = useConsole();
  const [email, setEmail] = useState('');
  const name = fullName(user);
  return (
    <FormDialog
      title={`Request a login change for ${name}`}
      names={{ [user.id]: name }}
      submitLabel="Mail the confirmation link"
      ready={email.trim() !== ''}
      run={async () => {
        const pending = await call(api.client.POST('/users/{id}/login-email-change', { params: { path: { id: user.id } }, body: { email: email.trim() } }));
        return `A confirmation link was mailed to ${pending.email}. ${name}'s login changes when it is opened from that mailbox, before ${formatTime(pending.expiresAt)}.`;
      }}
      onClose={onClose}
      onDone={onDone}
    >
      <p>
        {name} signs in with {user.loginEmail}. The new address must be a live mailbox: the change waits for the link mailed to it, and only then is{' '}
        {user.loginEmail} freed.
      </p>
      <div>
        <label for="login-email">New login address</label>
        <input id="login-email" {...addressInput} value={email} onInput={(event) => setEmail((event.target as HTMLInputElement).value)} />
      </div>
    </FormDialog>
  );
}

function ExtranetDialog({ user, onClose, onDone }: DialogProps) {
  const { api } = useConsole();
  const [groups] = useLoad(async () => {
    const page = await call(api.client.GET('/workgroups', { params: { query: { limit: 100 } } }));
    return page.items.filter((workgroup) => workgroup.extranet);
  }, []);
  const [chosen, setChosen] = useState<Schemas['Workgroup'][]>([]);
  const [keep, setKeep] = useState(true);
  const [login, setLogin] = useState('');
  const name = fullName(user);
  const toggle = (workgroup: Schemas['Workgroup'], on: boolean) =>
    setChosen((now) => (on ? [...now, workgroup] : now.filter((other) => other.id !== workgroup.id)));
  const newLogin = keep ? user.loginEmail : login.trim();
  return (
    <ActionDialog
      title={`Move ${name} to extranet`}
      onClose={onClose}
      onDone={onDone}
      step={{
        ready: chosen.length > 0 && (keep || login.trim() !== ''),
        form: (
          <>
            <fieldset>
              <legend>Extranet workgroups (at least one)</legend>
              {groups.state === 'failed' ? <ProblemView problem={groups.problem} /> : null}
              {groups.state === 'done' && groups.data.length === 0 ? <p class="hint">The directory has no extranet workgroup yet: create one first.</p> : null}
              {groups.state === 'done'
                ? groups.data.map((workgroup) => (
                    <label class="choice" key={workgroup.id}>
                      <input
                        type="checkbox"
                        checked={chosen.some((other) => other.id === workgroup.id)}
                        onChange={(event) => toggle(workgroup, (event.target as HTMLInputElement).checked)}
                      />
                      {workgroup.name}
                    </label>
                  ))
                : null}
            </fieldset>
            <fieldset>
              <legend>Extranet login</legend>
              <label class="choice">
                <input type="radio" name="extranet-login" checked={keep} onChange={() => setKeep(true)} />
                Keep {user.loginEmail}
              </label>
              <label class="choice">
                <input type="radio" name="extranet-login" checked={!keep} onChange={() => setKeep(false)} />A new login address
              </label>
              {keep ? null : (
                <div>
                  <label for="extranet-new-login">New login address for the extranet account</label>
                  <input id="extranet-new-login" {...addressInput} value={login} onInput={(event) => setLogin((event.target as HTMLInputElement).value)} />
                </div>
              )}
            </fieldset>
          </>
        ),
        review: (
          <ul>
            <li>
              {name}'s employee profile is dismissed{user.isAdmin ? ' and loses admin rights' : ''}.
            </li>
            <li>
              A new extranet account for {name} is created in {chosen.map((workgroup) => workgroup.name).join(', ')}, signing in with {newLogin}
              {keep ? `: the address moves to it in the same step` : `; the employee profile keeps ${user.loginEmail}`}.
            </li>
          </ul>
        ),
        confirmLabel: 'Move to extranet',
        names: { [user.id]: name },
        run: async () => {
          const moved = await call(
            api.client.POST('/users/{id}/move-to-extranet', {
              params: { path: { id: user.id } },
              body: { workgroupIds: chosen.map((workgroup) => workgroup.id), ...(keep ? {} : { loginEmail: login.trim() }) },
            }),
          );
          return `${name} is moved to extranet: the new account signs in with ${moved.extranetUser.loginEmail}. This employee profile is dismissed.`;
        },
      }}
    />
  );
}

/**
 * A login change waiting for its confirmation. The API keeps no readable pending request, so it
 * is read from the audit trail: the newest request not yet confirmed, superseded or expired.
 */
function PendingLoginChange({ user }: { user: User }) {
  const { api } = useConsole();
  const [audit] = useLoad(
    () => call(api.client.GET('/users/{id}/audit', { params: { path: { id: user.id }, query: { limit: 50 } } })),
    [user.id, user.updatedAt],
  );
  if (audit.state !== 'done') return null;
  const ending = ['user.login_email_changed', 'email.transferred_out', 'email.transferred_in', 'user.erased', 'user.swept', 'user.created_from_employee'];
  const latest = audit.data.items.find((entry) => entry.action === 'user.login_email_change_requested' || ending.includes(entry.action));
  if (latest?.action !== 'user.login_email_change_requested') return null;
  const email = latest.after?.pendingLoginEmail;
  const expiresAt = latest.after?.expiresAt;
  if (typeof email !== 'string' || typeof expiresAt !== 'string' || Date.parse(expiresAt) <= Date.now() || email === user.loginEmail) return null;
  return (
    <p class="notice">
      Login change pending: to {email}, requested {formatTime(latest.at)}. It takes effect when the link mailed to {email} is opened, before{' '}
      {formatTime(expiresAt)}; until then {user.firstName} signs in with {user.loginEmail}.
    </p>
  );
}

/**
 * The handover of a leaver's open work, polled until it ends. The job counts what it moved; what
 * is still open is the leaver's own count, so the bar's total is the two together. The job is
 * read before the count, so a chunk moved between the two reads is counted at most once: the total
 * can only be short, never over, and the bar keeps the largest total it saw.
 */
function HandoverProgress({ jobId, fromUserId, onFinished }: { jobId: string; fromUserId: string; onFinished: () => void }) {
  const { api } = useConsole();
  const [state, setState] = useState<{ job: Schemas['Job']; total: number } | undefined>();
  const [problem, setProblem] = useState<ProblemDetails | undefined>();
  const toUserId = state?.job.toUserId;
  const [delegate] = useLoad(async () => (toUserId ? call(api.client.GET('/users/{id}', { params: { path: { id: toUserId } } })) : undefined), [toUserId]);
  useEffect(() => {
    let stopped = false;
    let sawRunning = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const job = await call(api.client.GET('/jobs/{id}', { params: { path: { id: jobId } } }));
        const work = await call(api.client.GET('/users/{id}/work', { params: { path: { id: fromUserId } } }));
        if (stopped) return;
        const finished = job.status === 'completed' || job.status === 'failed';
        const moved = job.moved.tasks + job.moved.activities;
        const seen = moved + (finished ? 0 : work.openTasks + work.openActivities);
        setState((before) => ({ job, total: Math.max(before?.total ?? 0, seen, 1) }));
        if (!finished) {
          sawRunning = true;
          timer = setTimeout(poll, 500);
        } else if (sawRunning) onFinished(); // the page's open-work counts changed under it
      } catch (error) {
        if (!stopped) setProblem(problemOf(error));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [jobId]);
  if (problem) return <ProblemView problem={problem} />;
  if (!state) return null;
  const { job, total } = state;
  const moved = job.moved.tasks + job.moved.activities;
  const value = job.status === 'completed' ? total : Math.min(moved, total);
  // Announced: only a change of the job's status (the bar and the counts beside it update quietly).
  const announced =
    job.status === 'completed'
      ? `Handover complete: ${plural(job.moved.tasks, 'task', 'tasks')} and ${plural(job.moved.activities, 'CRM activity', 'CRM activities')} moved.`
      : job.status === 'failed'
        ? `Handover failed after ${moved} items: ${job.failureReason ?? 'no reason given'}.`
        : job.status === 'pending'
          ? 'Handover waiting to start.'
          : 'Handover running.';
  const finished = job.status === 'completed' || job.status === 'failed';
  return (
    <div class="handover">
      <label for={`progress-${jobId}`}>Handover of open work</label>
      <progress id={`progress-${jobId}`} max={total} value={value} aria-describedby={`progress-words-${jobId}`} />
      <p role="status" id={`progress-words-${jobId}`}>
        {announced}
      </p>
      <p>
        {finished ? '' : `${moved} of ${total} moved. `}Delegate:{' '}
        <Link to={`/users/${job.toUserId}`}>{delegate.state === 'done' && delegate.data ? fullName(delegate.data) : 'their page'}</Link>.
      </p>
    </div>
  );
}
