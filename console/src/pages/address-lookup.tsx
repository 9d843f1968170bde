import { useState } from 'preact/hooks';
import type { Schemas, User } from '../../../lib/client/client';
import { call } from '../api';
import { ActionDialog } from '../components/dialog';
import { Link } from '../components/link';
import { PageHeading } from '../components/page-heading';
import { ProblemView } from '../components/problem-view';
import { TransferDialog } from '../components/transfer-dialog';
import { useConsole, useLoad } from '../context';
import { fullName, statusLabel, typeLabel } from '../format';
import { navigate, type Location } from '../router';
import '../actions.css';

type InUse = Extract<Schemas['EmailUsage'], { status: 'in_use' }>;

const roleWords = (usedAs: InUse['usedAs']) => usedAs.map((role) => `${role} address`).join(' and the ');

/**
 * "Who holds this address?" without rehiring anyone (the seed's detour): free, or whose login or
 * contact address it is and in which status, with the remedies the API's hint names one click
 * away. The address lives in the page's address (?email=), so an answer can be shared.
 */
export function AddressLookupPage({ where }: { where: Location }) {
  const { api } = useConsole();
  const asked = where.query.get('email') ?? '';
  const [typed, setTyped] = useState(asked);
  const [outcome, setOutcome] = useState<string | undefined>();
  const [answer, again] = useLoad(async () => (asked ? call(api.client.GET('/emails/{email}', { params: { path: { email: asked } } })) : undefined), [asked]);
  return (
    <>
      <PageHeading>Address lookup</PageHeading>
      <p>Who holds this address? Any address, as login or contact, whatever the holder's status: a dismissed user still holds theirs.</p>
      <form
        class="filters"
        aria-label="Look up an address"
        onSubmit={(event) => {
          event.preventDefault();
          setOutcome(undefined);
          const email = typed.trim();
          if (email === asked) again();
          else navigate(email ? `/address-lookup?${new URLSearchParams({ email })}` : '/address-lookup', { replace: true });
        }}
      >
        <div class="field grow">
          <label for="lookup-email">Address</label>
          <input
            id="lookup-email"
            type="text"
            inputMode="email"
            value={typed}
            autoComplete="off"
            spellcheck={false}
            onInput={(event) => setTyped((event.target as HTMLInputElement).value)}
          />
        </div>
        <button type="submit">Look up</button>
      </form>
      {outcome ? (
        // Focusable: the dialog that did it closes with its opener gone, and the focus comes here.
        <p class="outcome" role="status" tabIndex={-1}>
          {outcome}
        </p>
      ) : null}
      <section aria-labelledby="lookup-answer" aria-live="polite">
        <h2 id="lookup-answer">Answer</h2>
        {!asked ? <p class="muted">Type an address and look it up.</p> : null}
        {asked && answer.state === 'loading' ? <p class="muted">Looking up {asked}…</p> : null}
        {answer.state === 'failed' ? <ProblemView problem={answer.problem} /> : null}
        {answer.state === 'done' && answer.data?.status === 'free' ? (
          <p>
            <strong>{answer.data.email}</strong> is free: nobody uses it as login or contact address.
          </p>
        ) : null}
        {answer.state === 'done' && answer.data?.status === 'in_use' ? (
          <Holder
            key={`${answer.data.email}:${answer.data.user.id}:${answer.data.usedAs.join()}`}
            usage={answer.data}
            onFreed={(text) => {
              setOutcome(text);
              again();
            }}
          />
        ) : null}
      </section>
    </>
  );
}

function Holder({ usage, onFreed }: { usage: InUse; onFreed: (outcome: string) => void }) {
  const { api } = useConsole();
  const [holder] = useLoad(() => call(api.client.GET('/users/{id}', { params: { path: { id: usage.user.id } } })), [usage.user.id]);
  const [open, setOpen] = useState<'transfer' | 'clear' | null>(null);
  if (holder.state === 'failed') return <ProblemView problem={holder.problem} />;
  const user: User | undefined = holder.state === 'done' ? holder.data : undefined;
  const name = user ? fullName(user) : 'another user';
  const status = (statusLabel[usage.user.status as User['status']] ?? usage.user.status).toLowerCase();
  const type = (typeLabel[usage.user.type as User['type']] ?? usage.user.type).toLowerCase();
  const dismissed = usage.user.status === 'dismissed';
  return (
    <>
      <p>
        <strong>{usage.email}</strong> is in use: the {roleWords(usage.usedAs)} of <Link to={`/users/${usage.user.id}`}>{name}</Link> ({status} {type}).
      </p>
      <p>How to free it:</p>
      <ul>
        {dismissed ? <li>Transfer it to its new owner in one step{usage.usedAs.includes('login') ? `, giving ${name} another login address` : ''}.</li> : null}
        {usage.usedAs.includes('contact') ? <li>Clear (or change) {name}'s contact address.</li> : null}
        {usage.usedAs.includes('login') ? (
          <li>
            Change {name}'s login address: a change confirmed from the new mailbox, requested on <Link to={`/users/${usage.user.id}`}>{name}'s page</Link>.
          </li>
        ) : null}
      </ul>
      {user ? (
        <div class="actions">
          {dismissed ? (
            <button type="button" class="danger" onClick={() => setOpen('transfer')}>
              Transfer the address from {name}
            </button>
          ) : null}
          {usage.usedAs.includes('contact') ? (
            <button type="button" class="danger" onClick={() => setOpen('clear')}>
              Clear {name}'s contact address
            </button>
          ) : null}
        </div>
      ) : null}
      {user && open === 'transfer' ? <TransferDialog holder={user} email={usage.email} onClose={() => setOpen(null)} onDone={onFreed} /> : null}
      {user && open === 'clear' ? (
        <ActionDialog
          title={`Clear ${name}'s contact address`}
          onClose={() => setOpen(null)}
          onDone={onFreed}
          step={{
            review: (
              <p>
                {usage.email} stops being {name}'s contact address and{' '}
                {usage.usedAs.includes('login') ? `stays ${name}'s login address` : 'becomes free for anyone'}. {name} has no contact address afterwards.
              </p>
            ),
            confirmLabel: 'Clear the contact address',
            run: async () => {
              await call(api.client.PUT('/users/{id}/contact-email', { params: { path: { id: user.id } }, body: { email: null } }));
              return `${name}'s contact address is cleared.`;
            },
          }}
        />
      ) : null}
    </>
  );
}
