import { useState } from 'preact/hooks';
import type { User } from '../../../lib/client/client';
import { call } from '../api';
import { useConsole } from '../context';
import { fullName } from '../format';
import { ActionDialog } from './dialog';
import { UserPicker } from './user-picker';

export const sameAddress = (a: string | null | undefined, b: string | null | undefined) =>
  !!a && !!b && a.trim().normalize('NFC').toLowerCase() === b.trim().normalize('NFC').toLowerCase();

/**
 * An input for an address: plain text, so the browser's own check (ASCII-only local parts) never
 * refuses an address the API accepts (lib/domain/email.ts) with its bubble instead of the API's
 * words; an email keyboard on phones.
 */
export const addressInput = { type: 'text', inputMode: 'email', autoComplete: 'off', spellcheck: false } as const;

/** The placeholder login of a profile whose login moved to its extranet account (never a mailbox). */
export const loginMovedAway = (user: User) => !!user.movedToUserId && /@moved\.invalid$/i.test(user.loginEmail);

/** The addresses of a holder that can move to someone else: not a placeholder login. */
export const transferable = (holder: User) => [
  ...new Set([...(loginMovedAway(holder) ? [] : [holder.loginEmail]), ...(holder.contactEmail ? [holder.contactEmail] : [])]),
];

/** The roles an address plays for its holder, as the API names them. */
export function rolesOf(holder: User, email: string): ('login' | 'contact')[] {
  return [...(sameAddress(holder.loginEmail, email) ? ['login' as const] : []), ...(sameAddress(holder.contactEmail, email) ? ['contact' as const] : [])];
}

/**
 * Moves an address from a dismissed user to someone current in one call (rule 7): the recipient
 * takes it as login or contact; the holder gets the replacement login the admin names if it was
 * their login, and loses it as contact address if it was that.
 */
export function TransferDialog({
  holder,
  email: fixed,
  onClose,
  onDone,
}: {
  holder: User;
  /** The address to move; omitted: the admin picks one of the holder's. */
  email?: string;
  onClose: () => void;
  onDone: (outcome: string, recipient: User) => void;
}) {
  const { api } = useConsole();
  const addresses = transferable(holder);
  const [email, setEmail] = useState(fixed ?? addresses[0]!);
  const [recipient, setRecipient] = useState<User | undefined>();
  const [as, setAs] = useState<'login' | 'contact'>('login');
  const [replacement, setReplacement] = useState('');
  const roles = rolesOf(holder, email);
  const needsReplacement = roles.includes('login');
  const name = fullName(holder);
  const to = recipient ? fullName(recipient) : '';
  const review = recipient ? (
    <>
      <p>
        {email} moves from {name} to {to} as {to}'s {as === 'login' ? 'login' : 'contact'} address, in one step.
      </p>
      <ul>
        {as === 'login' ? (
          <li>
            {to} then signs in with {email}; {recipient.loginEmail} is freed.
          </li>
        ) : null}
        {as === 'contact' && recipient.contactEmail ? (
          <li>
            It replaces {to}'s contact address {recipient.contactEmail}, which is freed.
          </li>
        ) : null}
        {needsReplacement ? (
          <li>
            {name}'s login becomes {replacement.trim()}.
          </li>
        ) : null}
        {roles.includes('contact') ? <li>{name}'s contact address is cleared.</li> : null}
      </ul>
    </>
  ) : null;
  return (
    <ActionDialog
      title={`Transfer an address from ${name}`}
      onClose={onClose}
      onDone={(outcome) => recipient && onDone(outcome, recipient)}
      step={{
        ready: !!recipient && (!needsReplacement || replacement.trim() !== ''),
        form: (
          <>
            {fixed || addresses.length === 1 ? (
              <p>
                The address: <strong>{email}</strong> ({roles.map((role) => `${role} address`).join(' and ')} of {name}).
              </p>
            ) : (
              <fieldset>
                <legend>Address to transfer</legend>
                {addresses.map((address) => (
                  <label class="choice" key={address}>
                    <input type="radio" name="transfer-address" checked={email === address} onChange={() => setEmail(address)} />
                    {address} ({rolesOf(holder, address).join(' and ')})
                  </label>
                ))}
              </fieldset>
            )}
            <UserPicker label="Transfer it to" statuses={['active', 'invited']} exclude={[holder.id]} chosen={recipient} onChoose={setRecipient} />
            <fieldset>
              <legend>As the recipient's</legend>
              <label class="choice">
                <input type="radio" name="transfer-as" checked={as === 'login'} onChange={() => setAs('login')} />
                Login address
              </label>
              <label class="choice">
                <input type="radio" name="transfer-as" checked={as === 'contact'} onChange={() => setAs('contact')} />
                Contact address
              </label>
            </fieldset>
            {needsReplacement ? (
              <div>
                <label for="replacement-login">{name}'s new login address</label>
                <input
                  id="replacement-login"
                  {...addressInput}
                  required
                  value={replacement}
                  onInput={(event) => setReplacement((event.target as HTMLInputElement).value)}
                />
                <p class="hint">{email} is their login; a dismissed user still needs one (no mail is sent to it).</p>
              </div>
            ) : null}
          </>
        ),
        review,
        confirmLabel: 'Transfer the address',
        names: { [holder.id]: name, ...(recipient ? { [recipient.id]: to } : {}) },
        run: async () => {
          const moved = await call(
            api.client.POST('/emails/{email}/transfer', {
              params: { path: { email } },
              body: { toUserId: recipient!.id, as, ...(needsReplacement ? { replacementLoginEmail: replacement.trim() } : {}) },
            }),
          );
          return `${email} is now ${fullName(moved.to)}'s ${as} address.`;
        },
      }}
    />
  );
}
