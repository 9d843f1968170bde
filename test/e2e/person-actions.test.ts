import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryClient, type DirectoryClient, type User } from '../../lib/client/client';
import { launchBrowser, seriousViolations } from '../support/browser';
import { removeTempStateDirs, startServerProcess, tempStateDir, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let browser: Browser;
let api: DirectoryClient;
const contexts: BrowserContext[] = [];

/** Accepting is the invitee's step, from their mailbox: the local outbox holds the link. */
async function accept(loginEmail: string): Promise<User> {
  const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; kind: string; token: string }[];
  const invitation = mail.findLast((m) => m.to === loginEmail && m.kind === 'invitation');
  const { data } = await api.POST('/invitations/accept', { body: { token: invitation!.token } });
  return data!;
}

async function activeUser(firstName: string, lastName: string, loginEmail: string): Promise<User> {
  await api.POST('/users', { body: { type: 'employee', loginEmail, firstName, lastName } });
  return accept(loginEmail);
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess({ LOCAL_STATE_DIR: tempStateDir() }), launchBrowser()]);
  const signIn = await fetch(`${server.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: server.adminId }),
  });
  api = createDirectoryClient({ baseUrl: server.url, token: ((await signIn.json()) as { token: string }).token });
});

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  removeTempStateDirs();
});

async function signedIn(viewport = { width: 1024, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

async function openPerson(page: Page, user: User): Promise<void> {
  await page.goto(`${server.url}/console/users/${user.id}`);
  await page.getByRole('heading', { level: 1, name: `${user.firstName} ${user.lastName}` }).waitFor();
}

// Evaluated in the page (this project's types have no DOM).
const focused = (page: Page) => page.evaluate('document.activeElement?.textContent') as Promise<string | undefined>;
const focusInDialog = (page: Page) => page.evaluate("!!document.activeElement?.closest('dialog[open]')") as Promise<boolean>;
const scrollWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
const details = (page: Page) => page.getByRole('region', { name: 'Details' });

/**
 * Records, in the page, every value/max the handover's progress bar takes and every text its live
 * region says, as they change (source text: this project's types have no DOM).
 */
const watchHandover = `(() => {
  const seen = { bars: [], said: [] };
  window.handoverSeen = seen;
  const record = () => {
    const bar = document.querySelector('.handover progress');
    if (bar) {
      const now = [bar.getAttribute('value'), bar.getAttribute('max')];
      const last = seen.bars[seen.bars.length - 1];
      if (!last || last[0] !== now[0] || last[1] !== now[1]) seen.bars.push(now);
    }
    const status = document.querySelector('.handover [role=status]');
    if (status && status.textContent !== seen.said[seen.said.length - 1]) seen.said.push(status.textContent);
  };
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
})()`;

/** Many invited users whose names start with `prefix`: a search for it reads past all of them. */
async function crowd(prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += 5)
    await Promise.all(
      Array.from({ length: Math.min(5, count - i) }, (_, j) =>
        api.POST('/users', { body: { type: 'employee', loginEmail: `${prefix}-${i + j}@corp.example`, firstName: prefix, lastName: `Person ${i + j}` } }),
      ),
    );
}

describe("a person's actions, the invitation and the address lookup", () => {
  it("transfers the dismissed user's email to her successor from the refusal's one-click remedy (the seed)", async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Invite someone' }).click();
    await page.getByRole('heading', { level: 1, name: 'Invite someone' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'First name' }).fill('Jane');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Doe');
    await page.getByRole('textbox', { name: 'Login address (the invitation is mailed here)' }).fill('jane.doe@corp.example');
    await page.getByRole('textbox', { name: 'Contact address (optional, shown on the profile)' }).fill('jane@corp.example');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    await page.getByText('Jane Doe is invited: the invitation was mailed to jane.doe@corp.example.').waitFor();
    const jane = await accept('jane.doe@corp.example');
    expect(new URL(page.url()).pathname).toBe(`/console/users/${jane.id}`);

    await page.reload();
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    const dismiss = page.getByRole('dialog', { name: 'Dismiss Jane Doe' });
    await dismiss.getByRole('button', { name: 'Continue' }).click();
    await dismiss.getByText('Jane can no longer sign in.').waitFor();
    await expect.poll(() => dismiss.textContent()).toContain("Jane Doe's 0 open tasks and 0 open CRM activities stay assigned to them");
    // The review opens on Cancel: a stray Enter cancels, it never dismisses.
    await expect.poll(() => focused(page)).toBe('Cancel');
    expect(await seriousViolations(page)).toEqual([]);
    await dismiss.getByRole('button', { name: 'Dismiss Jane Doe' }).click();
    await page.getByText('Jane Doe is dismissed.').waitFor();
    await expect.poll(() => details(page).textContent()).toContain('StatusDismissed');

    // Her successor is invited with her login address: refused, naming Jane and the remedy.
    await page.goto(`${server.url}/console/users/invite`);
    await page.getByRole('textbox', { name: 'First name' }).fill('Sam');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Roe');
    await page.getByRole('textbox', { name: 'Login address (the invitation is mailed here)' }).fill('jane.doe@corp.example');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    const refusal = page.getByRole('alert');
    await refusal.getByText('This address is already in use').waitFor();
    await expect.poll(() => refusal.textContent()).toContain('jane.doe@corp.example is the login address of Jane Doe (dismissed employee)');
    expect(await refusal.textContent()).not.toMatch(/\b409\b/);
    await refusal.getByRole('button', { name: 'Transfer the address from Jane Doe' }).click();
    const transfer = page.getByRole('dialog', { name: 'Transfer jane.doe@corp.example from Jane Doe' });
    await transfer.getByRole('textbox', { name: "Address Sam's invitation goes to" }).fill('sam.roe@home.example');
    await transfer.getByRole('textbox', { name: "Jane Doe's new login address" }).fill('jane.doe.former@corp.example');
    expect(await seriousViolations(page)).toEqual([]);
    await transfer.getByRole('button', { name: 'Continue' }).click();
    await transfer.getByText("Jane Doe's login becomes jane.doe.former@corp.example.").waitFor();
    expect(await transfer.textContent()).toContain('Then jane.doe@corp.example moves from Jane Doe to Sam Roe as login address, in one step');
    await expect.poll(() => focused(page)).toBe('Cancel');
    await transfer.getByRole('button', { name: 'Invite and transfer' }).click();

    await page.getByRole('heading', { level: 1, name: 'Sam Roe' }).waitFor();
    await page.getByText('jane.doe@corp.example is now their login address, moved from Jane Doe.', { exact: false }).waitFor();
    await expect.poll(() => details(page).textContent()).toContain('Login addressjane.doe@corp.example');
    const samId = new URL(page.url()).pathname.split('/').pop();

    // The lookup says who holds it now, with a link to them.
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Address lookup' }).click();
    await page.getByRole('heading', { level: 1, name: 'Address lookup' }).waitFor();
    await page.getByRole('textbox', { name: 'Address' }).fill('Jane.Doe@corp.example');
    await page.getByRole('button', { name: 'Look up' }).click();
    const answer = page.getByRole('region', { name: 'Answer' });
    await expect.poll(() => answer.textContent()).toContain('jane.doe@corp.example is in use: the login address of Sam Roe (invited employee).');
    expect(await answer.getByRole('link', { name: 'Sam Roe', exact: true }).getAttribute('href')).toBe(`/console/users/${samId}`);
    expect(await seriousViolations(page)).toEqual([]);
    const { data: former } = await api.GET('/emails/{email}', { params: { path: { email: 'jane.doe.former@corp.example' } } });
    expect(former).toMatchObject({ status: 'in_use', usedAs: ['login'], user: { id: jane.id } });

    // Jane's contact address: cleared from the lookup's remedy, after a confirmation.
    await page.getByRole('textbox', { name: 'Address' }).fill('jane@corp.example');
    await page.getByRole('button', { name: 'Look up' }).click();
    await expect.poll(() => answer.textContent()).toContain('the contact address of Jane Doe (dismissed employee)');
    await answer.getByRole('button', { name: "Clear Jane Doe's contact address" }).click();
    const clear = page.getByRole('dialog', { name: "Clear Jane Doe's contact address" });
    await expect.poll(() => focused(page)).toBe('Cancel');
    await clear.getByRole('button', { name: 'Clear the contact address' }).click();
    await page.getByText("Jane Doe's contact address is cleared.").waitFor();
    await expect.poll(() => answer.textContent()).toContain('jane@corp.example is free');
    // The button that opened the dialog went with the answer it belonged to: the focus is on what happened.
    await expect.poll(() => focused(page)).toBe("Jane Doe's contact address is cleared.");
  });

  it('moves an employee to extranet keeping the login address', async () => {
    const { data: partners } = await api.POST('/workgroups', { body: { name: 'Partners', extranet: true } });
    const alex = await activeUser('Alex', 'Kim', 'alex@corp.example');
    const page = await signedIn();
    await openPerson(page, alex);
    await page.getByRole('button', { name: 'Move to extranet', exact: true }).click();
    const move = page.getByRole('dialog', { name: 'Move Alex Kim to extranet' });
    await move.getByRole('checkbox', { name: 'Partners' }).check();
    expect(await move.getByRole('radio', { name: 'Keep alex@corp.example' }).isChecked()).toBe(true);
    await move.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => move.textContent()).toContain('signing in with alex@corp.example: the address moves to it in the same step');
    await expect.poll(() => focused(page)).toBe('Cancel');
    expect(await seriousViolations(page)).toEqual([]);
    await move.getByRole('button', { name: 'Move to extranet' }).click();
    await page.getByText('Alex Kim is moved to extranet: the new account signs in with alex@corp.example.', { exact: false }).waitFor();
    await expect.poll(() => details(page).textContent()).toContain('StatusDismissed');
    // The profile left behind has no login of its own: it says where the login went, not its placeholder.
    await expect.poll(() => details(page).textContent()).toContain('Login addressNone of its own: the login moved to the extranet account Alex Kim (active)');
    expect(await page.getByText('@moved.invalid', { exact: false }).count()).toBe(0);
    for (const gone of ['Rehire', 'Request a login change', 'Transfer an address'])
      expect(await page.getByRole('button', { name: gone, exact: true }).count()).toBe(0);
    await details(page).getByRole('link', { name: 'Alex Kim (active)' }).last().click();
    await expect.poll(() => details(page).textContent()).toContain('TypeExtranet');
    const extranetId = new URL(page.url()).pathname.split('/').pop()!;
    expect(extranetId).not.toBe(alex.id);
    await expect.poll(() => page.getByRole('region', { name: 'Workgroups' }).textContent()).toContain('Partners (extranet)');

    await page.goto(`${server.url}/console/address-lookup?email=alex%40corp.example`);
    const answer = page.getByRole('region', { name: 'Answer' });
    await expect.poll(() => answer.textContent()).toContain('alex@corp.example is in use: the login address of Alex Kim (active extranet).');
    expect(await answer.getByRole('link', { name: 'Alex Kim', exact: true }).getAttribute('href')).toBe(`/console/users/${extranetId}`);
    const { data: extranet } = await api.GET('/users/{id}', { params: { path: { id: extranetId } } });
    expect(extranet).toMatchObject({ type: 'extranet', status: 'active', loginEmail: 'alex@corp.example', workgroupIds: [partners!.id] });
  });

  it("dismisses with a delegate picked by name and shows the handover's progress to completion", async () => {
    const lee = await activeUser('Lee', 'Park', 'lee@corp.example');
    const priya = await activeUser('Priya', 'Shah', 'priya@corp.example');
    await activeUser('Pria', 'Dismissed', 'pria@corp.example').then((user) => api.POST('/users/{id}/dismiss', { params: { path: { id: user.id } }, body: {} }));
    for (let i = 0; i < 30; i += 5)
      await Promise.all([
        ...Array.from({ length: 3 }, (_, j) => api.POST('/tasks', { body: { title: `Task ${i + j}`, responsibleId: lee.id } })),
        ...Array.from({ length: 2 }, (_, j) => api.POST('/crm/activities', { body: { title: `Call ${i + j}`, responsibleId: lee.id } })),
      ]);
    const page = await signedIn();
    await openPerson(page, lee);
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    const dismiss = page.getByRole('dialog', { name: 'Dismiss Lee Park' });
    await dismiss.getByText('Lee Park has 18 open tasks and 12 open CRM activities.').waitFor();
    await dismiss.getByRole('searchbox', { name: 'Find by the start of a name or address' }).fill('pri');
    // Only active users can take the work: the dismissed Pria is not offered.
    const delegates = dismiss.getByRole('group', { name: "Delegate for Lee Park's open work (optional)" });
    await delegates.getByRole('radio', { name: 'Priya Shah (priya@corp.example)' }).check();
    expect(await delegates.getByRole('radio').count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await dismiss.getByRole('button', { name: 'Continue' }).click();
    await dismiss.getByText("Lee Park's 18 open tasks and 12 open CRM activities go to Priya Shah.").waitFor();
    await page.evaluate(watchHandover);
    await dismiss.getByRole('button', { name: 'Dismiss Lee Park' }).click();

    const progress = page.getByRole('progressbar', { name: 'Handover of open work' });
    await progress.waitFor();
    await page.getByText('Handover complete: 18 tasks and 12 CRM activities moved.', { exact: false }).waitFor({ timeout: 30_000 });
    expect([await progress.getAttribute('value'), await progress.getAttribute('max')]).toEqual(['30', '30']);
    // Every state the bar showed on the way: numbers, never more moved than the total, never
    // going back, the total never above the 30 items there were.
    const seen = (await page.evaluate('window.handoverSeen')) as { bars: [string | null, string | null][]; said: string[] };
    expect(seen.bars.length).toBeGreaterThan(0);
    const bars = seen.bars.map(([value, max]) => [Number(value), Number(max)] as const);
    for (const [value, max] of bars) {
      expect(Number.isInteger(value) && Number.isInteger(max)).toBe(true);
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(max);
      expect(max).toBeLessThanOrEqual(30);
    }
    expect(bars.map(([value]) => value)).toEqual([...bars.map(([value]) => value)].sort((a, b) => a - b));
    expect(bars.at(-1)).toEqual([30, 30]);
    // The live region spoke only when the job's status changed, not at every poll.
    expect(seen.said.length).toBeGreaterThan(0);
    for (const said of seen.said)
      expect(['Handover waiting to start.', 'Handover running.', 'Handover complete: 18 tasks and 12 CRM activities moved.']).toContain(said);
    expect(seen.said.at(-1)).toBe('Handover complete: 18 tasks and 12 CRM activities moved.');
    await expect.poll(() => page.getByRole('region', { name: 'Open work' }).textContent()).toContain('0 open tasks, 0 open CRM activities');
    expect(await seriousViolations(page)).toEqual([]);
    const { data: work } = await api.GET('/users/{id}/work', { params: { path: { id: priya.id } } });
    expect(work).toEqual({ openTasks: 18, openActivities: 12 });
  });

  it('works by keyboard at 360 px: the dialog keeps the focus, Escape closes it and nothing changes', async () => {
    const kim = await activeUser('Kim', 'Lee', 'kim@corp.example');
    const page = await signedIn({ width: 360, height: 740 });
    await openPerson(page, kim);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    await page.getByRole('button', { name: 'Dismiss', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dismiss = page.getByRole('dialog', { name: 'Dismiss Kim Lee' });
    await dismiss.waitFor();
    expect(await focusInDialog(page)).toBe(true);
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog(page)).toBe(true);
    }
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect.poll(() => dismiss.count()).toBe(0);
    expect(await focused(page)).toBe('Dismiss');
    const { data } = await api.GET('/users/{id}', { params: { path: { id: kim.id } } });
    expect(data!.status).toBe('active');
  });

  it('requests a login change and shows it pending until it is confirmed from the new mailbox', async () => {
    const mia = await activeUser('Mia', 'Ito', 'mia@corp.example');
    const page = await signedIn();
    await openPerson(page, mia);
    await page.getByRole('button', { name: 'Request a login change' }).click();
    const dialog = page.getByRole('dialog', { name: 'Request a login change for Mia Ito' });
    await dialog.getByRole('textbox', { name: 'New login address' }).fill('mia.ito@corp.example');
    await dialog.getByRole('button', { name: 'Mail the confirmation link' }).click();
    await page.getByText('A confirmation link was mailed to mia.ito@corp.example.', { exact: false }).waitFor();
    await page.getByText('Login change pending: to mia.ito@corp.example', { exact: false }).waitFor();
    expect(await details(page).textContent()).toContain('Login addressmia@corp.example');

    const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; kind: string; token: string }[];
    const link = mail.findLast((m) => m.to === 'mia.ito@corp.example' && m.kind === 'login_email_change')!;
    await api.POST('/login-email-change/confirm', { body: { token: link.token } });
    // The pending change is read from the audit trail: wait until that read has answered and the
    // page shows what it read, so the count below is of the loaded page, not of one still loading.
    const auditRead = page.waitForResponse((response) => response.url().includes(`/users/${mia.id}/audit`) && response.url().includes('limit=50'));
    await page.reload();
    expect((await auditRead).ok()).toBe(true);
    await expect.poll(() => details(page).textContent()).toContain('Login addressmia.ito@corp.example');
    await page.getByRole('region', { name: 'Audit trail' }).getByText('Login email changed', { exact: true }).waitFor();
    expect(await page.getByText('Login change pending', { exact: false }).count()).toBe(0);
  });

  it('says in plain words why an admin cannot revoke their own admin rights', async () => {
    const page = await signedIn();
    const { data: admin } = await api.GET('/users/{id}', { params: { path: { id: server.adminId } } });
    await openPerson(page, admin!);
    await page.getByRole('button', { name: 'Revoke admin rights' }).click();
    const alert = page.getByRole('region', { name: 'Actions' }).getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('You cannot revoke your own admin rights; ask another admin');
    expect(await alert.textContent()).not.toMatch(/\b409\b/);
    expect(await seriousViolations(page)).toEqual([]);
    const { data } = await api.GET('/users/{id}', { params: { path: { id: server.adminId } } });
    expect(data!.isAdmin).toBe(true);
  });

  it('keeps a successor invited when the transfer after the invitation is refused, and retries only the transfer', async () => {
    const ruth = await activeUser('Ruth', 'Gold', 'ruth@corp.example');
    await api.POST('/users/{id}/dismiss', { params: { path: { id: ruth.id } }, body: {} });
    await activeUser('Taken', 'Holder', 'taken@corp.example');
    const page = await signedIn();
    await page.goto(`${server.url}/console/users/invite`);
    await page.getByRole('textbox', { name: 'First name' }).fill('Tom');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Reed');
    await page.getByRole('textbox', { name: 'Login address (the invitation is mailed here)' }).fill('ruth@corp.example');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByRole('alert').getByRole('button', { name: 'Transfer the address from Ruth Gold' }).click();
    const transfer = page.getByRole('dialog', { name: 'Transfer ruth@corp.example from Ruth Gold' });
    await transfer.getByRole('textbox', { name: "Address Tom's invitation goes to" }).fill('tom.reed@home.example');
    // A replacement login someone holds: the invitation succeeds, the transfer is refused.
    await transfer.getByRole('textbox', { name: "Ruth Gold's new login address" }).fill('taken@corp.example');
    await transfer.getByRole('button', { name: 'Continue' }).click();
    await transfer.getByRole('button', { name: 'Invite and transfer' }).click();
    await transfer.getByRole('alert').getByText('This address is already in use').waitFor();
    await transfer.getByText('Tom Reed was invited already, with tom.reed@home.example', { exact: false }).waitFor();
    expect(await transfer.getByRole('textbox', { name: "Address Tom's invitation goes to" }).count()).toBe(0);
    await transfer.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => transfer.count()).toBe(0);

    // Cancelled, the page still knows Tom was invited, why the transfer did not happen, and where he is.
    const half = page.getByRole('region', { name: 'Invited, not transferred yet' });
    await expect.poll(() => half.textContent()).toContain('Tom Reed was invited with tom.reed@home.example; the transfer was refused:');
    await expect.poll(() => half.textContent()).toContain('taken@corp.example is the login address of Taken Holder');
    const { data: usage } = await api.GET('/emails/{email}', { params: { path: { email: 'tom.reed@home.example' } } });
    const tomId = usage!.status === 'in_use' ? usage!.user.id : '';
    expect(await half.getByRole('link', { name: "Tom Reed's page" }).getAttribute('href')).toBe(`/console/users/${tomId}`);
    expect(await seriousViolations(page)).toEqual([]);

    await half.getByRole('button', { name: 'Try the transfer again' }).click();
    const retry = page.getByRole('dialog', { name: 'Transfer ruth@corp.example from Ruth Gold' });
    await retry.getByText('Tom Reed was invited already, with tom.reed@home.example', { exact: false }).waitFor();
    await retry.getByRole('textbox', { name: "Ruth Gold's new login address" }).fill('ruth.former@corp.example');
    await retry.getByRole('button', { name: 'Continue' }).click();
    await retry.getByText('Tom Reed stays invited with tom.reed@home.example (no new invitation).').waitFor();
    await retry.getByRole('button', { name: 'Transfer the address' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tom Reed' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/users/${tomId}`);
    await expect.poll(() => details(page).textContent()).toContain('Login addressruth@corp.example');
    const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; kind: string }[];
    expect(mail.filter((m) => m.kind === 'invitation' && m.to === 'tom.reed@home.example')).toHaveLength(1);
  });

  it('takes addresses with a non-ASCII local part, which the API accepts, in its address fields', async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/console/users/invite`);
    await page.getByRole('textbox', { name: 'First name' }).fill('Jürgen');
    await page.getByRole('textbox', { name: 'Last name' }).fill('Öz');
    await page.getByRole('textbox', { name: 'Login address (the invitation is mailed here)' }).fill('jürgen@corp.example');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText('Jürgen Öz is invited: the invitation was mailed to jürgen@corp.example.').waitFor();
    await page.getByRole('button', { name: 'Change the contact address' }).click();
    const dialog = page.getByRole('dialog', { name: "Change Jürgen Öz's contact address" });
    await dialog.getByRole('textbox', { name: 'New contact address' }).fill('jürgen.privat@home.example');
    await dialog.getByRole('button', { name: 'Save the contact address' }).click();
    await page.getByText("Jürgen Öz's contact address is now jürgen.privat@home.example.").waitFor();
  });

  it('keeps a dialog open while its call runs: Cancel is disabled and Escape waits for the answer', async () => {
    const noa = await activeUser('Noa', 'Berg', 'noa@corp.example');
    const page = await signedIn();
    await openPerson(page, noa);
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    await page.route('**/users/*/dismiss', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    const dismiss = page.getByRole('dialog', { name: 'Dismiss Noa Berg' });
    await dismiss.getByRole('button', { name: 'Continue' }).click();
    await dismiss.getByRole('button', { name: 'Dismiss Noa Berg' }).click();
    await dismiss.getByRole('button', { name: 'Working…' }).waitFor();
    expect(await dismiss.getByRole('button', { name: 'Cancel' }).isDisabled()).toBe(true);
    expect(await focusInDialog(page)).toBe(true);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
    expect(await dismiss.count()).toBe(1);
    release();
    await page.getByText('Noa Berg is dismissed.').waitFor();
    await expect.poll(() => dismiss.count()).toBe(0);
    // The Dismiss button that opened it is gone: the focus is on the outcome.
    await expect.poll(() => focused(page)).toBe('Noa Berg is dismissed.');
  });

  it('finds a delegate past search pages that the status filter left empty', async () => {
    await crowd('Filler', 60);
    await activeUser('Fillerz', 'Active', 'fillerz@corp.example');
    const ola = await activeUser('Ola', 'Nord', 'ola@corp.example');
    // The search's first pages hold only invited Fillers: empty for active users, with a next page.
    const { data: first } = await api.GET('/users', { params: { query: { q: 'filler', status: 'active', limit: 10 } } });
    expect(first).toMatchObject({ items: [] });
    expect(first!.nextCursor).not.toBeNull();
    const page = await signedIn();
    await openPerson(page, ola);
    await page.getByRole('button', { name: 'Dismiss', exact: true }).click();
    const dismiss = page.getByRole('dialog', { name: 'Dismiss Ola Nord' });
    await dismiss.getByRole('searchbox', { name: 'Find by the start of a name or address' }).fill('filler');
    const delegates = dismiss.getByRole('group', { name: "Delegate for Ola Nord's open work (optional)" });
    await delegates.getByRole('radio', { name: 'Fillerz Active (fillerz@corp.example)' }).waitFor();
    expect(await delegates.getByRole('radio').count()).toBe(1);
    expect(await dismiss.getByText('Nobody who can be chosen', { exact: false }).count()).toBe(0);
  });
});
