import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConsoleConfig } from '../config';
import { listLocalAdmins, localSignIn, type LocalAdmin } from '../auth/local';
import { signInWithOidc } from '../auth/session';

type Props = { config: ConsoleConfig; notice: string | undefined; onSignedIn: (token: string) => void };

export function SignIn({ config, notice, onSignedIn }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <main id="main" class="sign-in">
      <h1 tabIndex={-1} ref={heading}>
        Directory admin console
      </h1>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      {config.auth.kind === 'local' ? <LocalSignIn apiBaseUrl={config.apiBaseUrl} onSignedIn={onSignedIn} /> : <OidcSignIn config={config} />}
    </main>
  );
}

function LocalSignIn({ apiBaseUrl, onSignedIn }: { apiBaseUrl: string; onSignedIn: (token: string) => void }) {
  const [admins, setAdmins] = useState<LocalAdmin[] | undefined>();
  const [chosen, setChosen] = useState('');
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    listLocalAdmins(apiBaseUrl).then(
      (items) => {
        setAdmins(items);
        setChosen(items[0]?.id ?? '');
      },
      (error: Error) => setFailure(error.message),
    );
  }, [apiBaseUrl]);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setFailure(undefined);
    try {
      onSignedIn((await localSignIn(apiBaseUrl, chosen)).token);
    } catch (error) {
      setFailure((error as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="panel" onSubmit={submit}>
      <p>
        Local sign-in (npm start only): act as one of the directory's active admins. The token is signed with the same local key as <code>npm run token</code>.
      </p>
      {admins === undefined && !failure ? <p role="status">Loading the directory's admins…</p> : null}
      {admins?.length === 0 ? <p>The directory has no active admin.</p> : null}
      {admins?.length ? (
        <>
          <label for="admin">Directory admin</label>
          <select id="admin" value={chosen} onChange={(event) => setChosen((event.target as HTMLSelectElement).value)}>
            {admins.map((admin) => (
              <option key={admin.id} value={admin.id}>
                {admin.name} ({admin.loginEmail})
              </option>
            ))}
          </select>
          <button type="submit" disabled={busy || !chosen}>
            Sign in
          </button>
        </>
      ) : null}
      {failure ? (
        <p class="problem" role="alert">
          {failure}
        </p>
      ) : null}
    </form>
  );
}

function OidcSignIn({ config }: { config: ConsoleConfig }) {
  const [failure, setFailure] = useState<string | undefined>();
  const start = () => {
    signInWithOidc(config.auth).catch((error: Error) => setFailure(error.message));
  };
  return (
    <div class="panel">
      <p>Sign in with your organisation's account. Only directory admins can use the console.</p>
      <button type="button" onClick={start}>
        Sign in
      </button>
      {failure ? (
        <p class="problem" role="alert">
          {failure}
        </p>
      ) : null}
    </div>
  );
}
