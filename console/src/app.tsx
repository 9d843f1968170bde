import { useEffect, useMemo, useState } from 'preact/hooks';
import type { User } from '../../lib/client/client';
import { call, createApi } from './api';
import { onRefusedToken, signedInWith, signOut, tokenNow, type SignedIn } from './auth/session';
import { Link } from './components/link';
import type { ConsoleConfig } from './config';
import { Console } from './context';
import { fullName } from './format';
import { adminSectionPage } from './pages/admin-sections';
import { AddressLookupPage } from './pages/address-lookup';
import { InvitePage } from './pages/invite';
import { NotBuiltPage } from './pages/not-built';
import { PersonPage } from './pages/person';
import { SignIn } from './pages/sign-in';
import { UsersPage } from './pages/users';
import { useLocation, type Location } from './router';

type Section = { path: string; title: string; what?: string };

/** The navigation, in the order of an admin's day; sections with `what` are not built yet and say so. */
export const sections: Section[] = [
  { path: '/', title: 'Users' },
  { path: '/address-lookup', title: 'Address lookup' },
  { path: '/workgroups', title: 'Workgroups' },
  { path: '/hr-deliveries', title: 'HR deliveries' },
  { path: '/cleanup', title: 'Cleanup' },
  { path: '/event-subscriptions', title: 'Event subscriptions' },
  { path: '/connectors', title: 'Connectors' },
];

function sectionOf(path: string): Section | undefined {
  if (path === '/' || path.startsWith('/users')) return sections[0];
  return sections.find((section) => section.path !== '/' && path.startsWith(section.path));
}

function Page({ where }: { where: Location }) {
  if (where.path === '/users/invite') return <InvitePage />;
  if (where.path === '/address-lookup') return <AddressLookupPage where={where} />;
  const person = /^\/users\/([^/]+)$/.exec(where.path);
  if (person) return <PersonPage id={decodeURIComponent(person[1]!)} />;
  const section = sectionOf(where.path);
  if (section?.path === '/') return <UsersPage where={where} />;
  const admin = adminSectionPage(where.path);
  if (admin) return admin;
  if (section?.what) return <NotBuiltPage title={section.title} what={section.what} />;
  return <NotBuiltPage title="Page not found" what="This console has no page at this address." />;
}

export function App({ config, initialToken }: { config: ConsoleConfig; initialToken: string | undefined }) {
  const [session, setSession] = useState<SignedIn | undefined>(initialToken ? signedInWith(initialToken) : undefined);
  const [notice, setNotice] = useState<string | undefined>();
  const [admin, setAdmin] = useState<User | undefined>();
  const where = useLocation();
  const api = useMemo(
    () =>
      createApi(
        config.apiBaseUrl,
        async () => (session ? await tokenNow(config.auth) : undefined),
        // Only this tab's tokens are forgotten: the provider's logout is the Sign out button's.
        onRefusedToken(config.auth, () => {
          setSession(undefined);
          setNotice('Your sign-in has expired or was refused. Sign in again.');
        }),
      ),
    [config, session],
  );
  useEffect(() => {
    setAdmin(undefined);
    if (session?.subject) call(api.client.GET('/users/{id}', { params: { path: { id: session.subject } } })).then(setAdmin, () => undefined);
  }, [api, session]);

  if (!session)
    return (
      <SignIn
        config={config}
        notice={notice}
        onSignedIn={(token) => {
          setNotice(undefined);
          setSession(signedInWith(token));
        }}
      />
    );
  const current = sectionOf(where.path);
  const who = admin ? `${fullName(admin)} (${admin.loginEmail})` : (session.email ?? 'a directory admin');
  return (
    <Console.Provider value={{ api, admin }}>
      <a class="skip" href="#main">
        Skip to the page
      </a>
      <header class="top">
        <span class="brand">Directory console</span>
        <span class="who">Signed in as {who}</span>
        <button
          type="button"
          onClick={async () => {
            await signOut(config.auth).catch(() => undefined);
            setSession(undefined);
            setNotice('You are signed out.');
          }}
        >
          Sign out
        </button>
      </header>
      <nav aria-label="Sections">
        <ul>
          {sections.map((section) => (
            <li key={section.path}>
              <Link to={section.path} current={current === section}>
                {section.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        <Page key={where.path} where={where} />
      </main>
    </Console.Provider>
  );
}
