/**
 * The README's console screenshots, taken from a real `npm start` on a fresh state folder with a
 * few people in it: `node --import tsx scripts/console-screenshots.ts` writes docs/images/console-*.png.
 * Needs Debian's chromium, as the browser tests do.
 */
import { mkdirSync } from 'node:fs';
import { createDirectoryClient, type DirectoryClient, type User } from '../lib/client/client';
import { launchBrowser } from '../test/support/browser';
import { removeTempStateDirs, startServerProcess, tempStateDir } from '../test/support/server-process';

const out = new URL('../docs/images/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

const server = await startServerProcess({ LOCAL_STATE_DIR: tempStateDir() });
const browser = await launchBrowser();
try {
  const signIn = await fetch(`${server.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: server.adminId }),
  });
  const api: DirectoryClient = createDirectoryClient({ baseUrl: server.url, token: ((await signIn.json()) as { token: string }).token });
  const accept = async (loginEmail: string): Promise<User> => {
    const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; kind: string; token: string }[];
    const { data } = await api.POST('/invitations/accept', { body: { token: mail.findLast((m) => m.to === loginEmail && m.kind === 'invitation')!.token } });
    return data!;
  };
  const people: [string, string][] = [
    ['Jane', 'Doe'],
    ['Priya', 'Shah'],
    ['Lee', 'Park'],
    ['Mia', 'Ito'],
    ['Omar', 'Haddad'],
    ['Sofia', 'Rossi'],
  ];
  const users: User[] = [];
  for (const [firstName, lastName] of people) {
    const loginEmail = `${firstName}.${lastName}@corp.example`.toLowerCase();
    await api.POST('/users', { body: { type: 'employee', loginEmail, firstName, lastName, contactEmail: `${firstName.toLowerCase()}@home.example` } });
    users.push(await accept(loginEmail));
  }
  await api.POST('/users', { body: { type: 'employee', loginEmail: 'noah.berg@corp.example', firstName: 'Noah', lastName: 'Berg' } });
  const [jane, priya] = users as [User, User];
  await api.POST('/users/{id}/dismiss', { params: { path: { id: jane.id } }, body: { delegateId: priya.id } });

  const page = await (await browser.newContext({ viewport: { width: 1200, height: 760 }, deviceScaleFactor: 1 })).newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByText('Jane Doe').first().waitFor();
  await page.screenshot({ path: `${out}console-users.png` });

  await page.goto(`${server.url}/console/users/${jane.id}`);
  await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
  await page.getByText('Dismissed').first().waitFor();
  await page.screenshot({ path: `${out}console-person.png` });

  // The seed: the successor's invitation refused, naming Jane and the remedy.
  await page.goto(`${server.url}/console/users/invite`);
  await page.getByRole('textbox', { name: 'First name' }).fill('Sam');
  await page.getByRole('textbox', { name: 'Last name' }).fill('Roe');
  await page.getByRole('textbox', { name: 'Login address (the invitation is mailed here)' }).fill('jane.doe@corp.example');
  await page.getByRole('button', { name: 'Send the invitation' }).click();
  const remedy = page.getByRole('button', { name: 'Transfer the address from Jane Doe' });
  await remedy.waitFor();
  await remedy.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}console-invite-refused.png` });
  console.log(`wrote ${out}console-users.png, console-person.png, console-invite-refused.png`);
} finally {
  await browser.close();
  await server.kill('SIGTERM');
  removeTempStateDirs();
}
