import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryClient, type DirectoryClient, type User } from '../../lib/client/client';
import { launchBrowser, seriousViolations } from '../support/browser';
import { startScimServer, type ScimTestServer } from '../support/scim-server';
import { removeTempStateDirs, startServerProcess, tempStateDir, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let scim: ScimTestServer;
let browser: Browser;
let api: DirectoryClient;
let employee: User;
let extranet: User;
let leaving: User;
let dismissed: User;

/** Invites, then accepts from the local outbox: an active user. */
async function activeUser(firstName: string, lastName: string, loginEmail: string): Promise<User> {
  const { data: invited } = await api.POST('/users', { body: { type: 'employee', loginEmail, firstName, lastName } });
  const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; token: string }[];
  const { data } = await api.POST('/invitations/accept', { body: { token: mail.findLast((m) => m.to === invited!.loginEmail)!.token } });
  return data!;
}

beforeAll(async () => {
  [server, browser, scim] = await Promise.all([startServerProcess({ LOCAL_STATE_DIR: tempStateDir() }), launchBrowser(), startScimServer()]);
  const signIn = await fetch(`${server.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: server.adminId }),
  });
  api = createDirectoryClient({ baseUrl: server.url, token: ((await signIn.json()) as { token: string }).token });
  await api.POST('/connectors', { body: { kind: 'scim', name: 'Chat app', baseUrl: scim.baseUrl, token: scim.token } });
  const { data: partners } = await api.POST('/workgroups', { body: { name: 'Partners', extranet: true } });
  employee = await activeUser('Maria', 'Lopez', 'maria@corp.example');
  const { data: moved } = await api.POST('/users/{id}/move-to-extranet', { params: { path: { id: employee.id } }, body: { workgroupIds: [partners!.id] } });
  extranet = moved!.extranetUser;
  await api.PUT('/users/{id}/legal-hold', { params: { path: { id: employee.id } }, body: { legalHold: true } });
  leaving = await activeUser('Omar', 'Haddad', 'omar@corp.example');
  const effectiveAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
  await api.POST('/users/{id}/dismiss', { params: { path: { id: leaving.id } }, body: { effectiveAt } });
  dismissed = await activeUser('Dana', 'Cruz', 'dana@corp.example');
  await api.POST('/users/{id}/dismiss', { params: { path: { id: dismissed.id } }, body: {} });
});

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  await scim?.close();
  removeTempStateDirs();
});

async function openPerson(userId: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.goto(`${server.url}/console/users/${userId}`);
  return page;
}

const region = (page: Page, name: string) => page.getByRole('region', { name });

describe("a person's page", () => {
  it('links an employee profile and its extranet account, with legal hold and access per connected system', async () => {
    const page = await openPerson(employee.id);
    await page.getByRole('heading', { level: 1, name: 'Maria Lopez' }).waitFor();
    await page.getByText('On legal hold').waitFor();
    const details = region(page, 'Details');
    await expect.poll(() => details.textContent()).toContain('Extranet accountMaria Lopez (active)');
    expect(await details.textContent()).toContain('Legal holdYes');
    expect(await seriousViolations(page)).toEqual([]);

    await details.getByRole('link', { name: 'Maria Lopez (active)' }).last().click();
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/console/users/${extranet.id}`);
    await expect.poll(() => region(page, 'Details').textContent()).toContain('Employee profileMaria Lopez (dismissed)');
    await expect.poll(() => region(page, 'Workgroups').textContent()).toContain('Partners (extranet)');
    expect(await region(page, 'Details').textContent()).toContain('TypeExtranet');
    await expect.poll(() => region(page, 'Audit trail').textContent()).toContain('Created from employee, by Directory Admin (active), as an admin');
    // Provisioning runs after the change: the active extranet account gets its account there.
    await expect
      .poll(
        async () => {
          const answered = page.waitForResponse((response) => response.url().endsWith(`/users/${extranet.id}/access`));
          await page.reload();
          await answered;
          await page.getByText('Chat app', { exact: false }).first().waitFor();
          return region(page, 'Access in connected systems').textContent();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain('Chat app: Provisioned');
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('shows a dismissal scheduled for later', async () => {
    const page = await openPerson(leaving.id);
    await page.getByRole('heading', { level: 1, name: 'Omar Haddad' }).waitFor();
    const details = region(page, 'Details');
    await expect.poll(() => details.textContent()).toContain('Scheduled dismissal');
    expect(await details.textContent()).toContain('StatusActive');
    await expect.poll(() => region(page, 'Audit trail').textContent()).toContain('Dismissal scheduled');

    // Cancelled from the page (the API's rehire of a still active user): no dismissal is due any more.
    await page.getByRole('button', { name: 'Cancel the scheduled dismissal' }).click();
    await page.getByText('The dismissal of Omar Haddad scheduled for', { exact: false }).waitFor();
    await page.getByText('is cancelled; Omar stays active.', { exact: false }).waitFor();
    await expect.poll(() => details.textContent()).not.toContain('Scheduled dismissal');
    expect(await page.getByRole('button', { name: 'Cancel the scheduled dismissal' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    const { data } = await api.GET('/users/{id}', { params: { path: { id: leaving.id } } });
    expect(data).toMatchObject({ status: 'active', scheduledDismissalAt: null });
    await page.close();
  });

  it("says where a moved profile's login went and offers no action that needs a login", async () => {
    const page = await openPerson(employee.id);
    await page.getByRole('heading', { level: 1, name: 'Maria Lopez' }).waitFor();
    const details = region(page, 'Details');
    await expect.poll(() => details.textContent()).toContain('Login addressNone of its own: the login moved to the extranet account Maria Lopez (active)');
    expect(await details.getByRole('link', { name: 'Maria Lopez (active)' }).first().getAttribute('href')).toBe(`/console/users/${extranet.id}`);
    await region(page, 'Audit trail').getByText('Moved to extranet', { exact: true }).waitFor();
    expect(await page.getByText('@moved.invalid', { exact: false }).count()).toBe(0);
    const actions = region(page, 'Actions');
    await actions.getByText("Maria's login moved to the extranet account", { exact: false }).waitFor();
    for (const gone of ['Rehire', 'Request a login change', 'Transfer an address'])
      expect(await actions.getByRole('button', { name: gone, exact: true }).count()).toBe(0);
    expect(await actions.getByRole('button', { name: 'Change the contact address' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });

  it('tells how to move a dismissed employee to extranet (the API moves active employees only)', async () => {
    const page = await openPerson(dismissed.id);
    await page.getByRole('heading', { level: 1, name: 'Dana Cruz' }).waitFor();
    const actions = region(page, 'Actions');
    await actions
      .getByText(
        'To move Dana Cruz to extranet: rehire Dana first, then choose Move to extranet. Keeping the login moves dana@corp.example to the extranet account in the same step',
        { exact: false },
      )
      .waitFor();
    await actions.getByRole('button', { name: 'Rehire' }).click();
    await page.getByText('Dana Cruz is rehired', { exact: false }).waitFor();
    await actions.getByRole('button', { name: 'Move to extranet', exact: true }).waitFor();
    await page.close();
  });
});
