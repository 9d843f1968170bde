import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryClient, type DirectoryClient, type User } from '../../lib/client/client';
import { createDocumentClient } from '../../lib/data/client';
import type { Deps } from '../../lib/runtime';
import { ephemeralSecretBox } from '../../lib/secrets/box';
import { dismissUser } from '../../lib/use-cases/users';
import { StaticWebhookSecrets } from '../../lib/webhooks/secrets';
import { launchBrowser, seriousViolations } from '../support/browser';
import { seedParkedDelivery, startReceiver, type Receiver } from '../support/receiver';
import { startScimServer, type ScimTestServer } from '../support/scim-server';
import { removeTempStateDirs, startServerProcess, tempStateDir, waitFor, type ServerProcess } from '../support/server-process';
import { standardDelivery } from '../support/webhooks';

/** The documented development secret of POST /webhooks/hr/standard (lib/local/serve.ts), HR_WEBHOOK_SECRET being unset. */
const LOCAL_HR_SECRET = 'whsec_bG9jYWwtaHItd2ViaG9vay1zZWNyZXQtZm9yLWRldmVsb3BtZW50';
const DAY = 86_400_000;

let server: ServerProcess;
let browser: Browser;
let scim: ScimTestServer;
let receiver: Receiver;
let api: DirectoryClient;
/** The server's own table, written by the real use cases with a clock of our choosing (to age a dismissal). */
let seeding: Deps & { setNow(date: Date | null): void };
let lena: User;

async function activeUser(firstName: string, lastName: string, loginEmail: string): Promise<User> {
  const { data: invited } = await api.POST('/users', { body: { type: 'employee', loginEmail, firstName, lastName } });
  const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; token: string }[];
  const { data } = await api.POST('/invitations/accept', { body: { token: mail.findLast((m) => m.to === invited!.loginEmail)!.token } });
  return data!;
}

beforeAll(async () => {
  [server, browser, scim, receiver] = await Promise.all([
    startServerProcess({ LOCAL_STATE_DIR: tempStateDir() }),
    launchBrowser(),
    startScimServer(),
    startReceiver(),
  ]);
  const signIn = await fetch(`${server.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId: server.adminId }),
  });
  api = createDirectoryClient({ baseUrl: server.url, token: ((await signIn.json()) as { token: string }).token });
  const tableName = /\(table (\S+),/.exec(server.output())![1]!;
  let now: Date | null = null;
  seeding = {
    table: { client: createDocumentClient({ region: 'us-east-1', endpoint: server.endpoint }), name: tableName },
    webhookSecrets: new StaticWebhookSecrets({}),
    secretBox: ephemeralSecretBox(),
    clock: () => now ?? new Date(),
    settings: { invitationTtlHours: 168, loginChangeTtlHours: 24, retentionDays: 90 },
    setNow: (date) => (now = date),
  };
  lena = await activeUser('Lena', 'Berg', 'lena.berg@corp.example');
});

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  await Promise.all([scim?.close(), receiver?.close()]);
  removeTempStateDirs();
});

async function open(path: string, viewport = { width: 1024, height: 800 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/console/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: path, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: path }).waitFor();
  return { context, page, errors };
}

const focusedText = (page: Page) => page.evaluate('document.activeElement?.textContent') as Promise<string | undefined>;
/**
 * Everything the page shows, and everything its form fields hold: Preact sets an input's `value`
 * as a property, which neither the page's HTML (page.content()) nor its text shows.
 */
const everythingOn = (page: Page) =>
  page.evaluate(
    "[document.body.innerText, ...[...document.querySelectorAll('input, textarea, select')].map((field) => field.value)].join('\\n')",
  ) as Promise<string>;

/** Leaves the section for Users and comes back through the navigation, as an admin would. */
async function awayAndBack(page: Page, section: string): Promise<void> {
  const nav = page.getByRole('navigation', { name: 'Sections' });
  await nav.getByRole('link', { name: 'Users', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await nav.getByRole('link', { name: section, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: section }).waitFor();
}

/** The requests the page makes with `method` to a path matching `path`, as they are made. */
function requestsTo(page: Page, method: string, path: RegExp): string[] {
  const seen: string[] = [];
  page.on('request', (request) => {
    if (request.method() === method && path.test(new URL(request.url()).pathname)) seen.push(request.url());
  });
  return seen;
}
const scrollWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;

describe('the admin sections of the console', () => {
  it('creates a workgroup, adds a member found by name, and removes them after confirming', async () => {
    // Users the API would refuse to add to an intranet workgroup: a dismissed one, an extranet one.
    const dora = await activeUser('Dora', 'Gone', 'dora.gone@corp.example');
    await api.POST('/users/{id}/dismiss', { params: { path: { id: dora.id } }, body: {} });
    const { data: partners } = await api.POST('/workgroups', { body: { name: 'Partners', extranet: true } });
    await api.POST('/users', {
      body: { type: 'extranet', loginEmail: 'xena@partner.example', firstName: 'Xena', lastName: 'Partner', workgroupIds: [partners!.id] },
    });
    const { context, page, errors } = await open('Workgroups');
    const puts = requestsTo(page, 'PUT', /^\/workgroups\/[^/]+\/members\//);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByLabel('Name').fill('Field sales');
    await page.getByRole('button', { name: 'Create workgroup' }).click();
    await page.getByRole('list', { name: 'Workgroups' }).getByRole('link', { name: 'Field sales' }).click();
    await page.getByRole('heading', { level: 1, name: 'Field sales' }).waitFor();
    await page.getByText('No members yet.').waitFor();

    const search = page.getByRole('searchbox', { name: 'Find a user by the start of a name or address' });
    const found = page.getByRole('list', { name: 'Users found' });
    await search.fill('dora');
    await found.getByText('cannot be added: dismissed: rehire them first').waitFor();
    expect(await found.getByRole('button').count()).toBe(0);
    await search.fill('xena');
    await found.getByText('cannot be added: extranet users join extranet workgroups only').waitFor();
    expect(await found.getByRole('button').count()).toBe(0);

    await search.fill('len');
    // A double click adds once: the button is busy while the call runs.
    await page.getByRole('button', { name: 'Add Lena Berg (lena.berg@corp.example)' }).dblclick();
    await page.getByText('Lena Berg is now a member of Field sales.').waitFor();
    expect(puts).toHaveLength(1);
    await page.getByRole('list', { name: 'Members' }).getByRole('link', { name: 'Lena Berg' }).waitFor();
    const { data: member } = await api.GET('/users/{id}', { params: { path: { id: lena.id } } });
    expect(member!.workgroupIds).toHaveLength(1);
    expect(await seriousViolations(page)).toEqual([]);

    // The confirmation: Cancel first and focused, Escape closes it without removing anyone.
    await page.getByRole('button', { name: 'Remove Lena Berg' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Lena Berg from Field sales?' });
    await dialog.waitFor();
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    expect(await seriousViolations(page)).toEqual([]);
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page)).toBe('Remove member');
    await page.keyboard.press('Tab');
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => focusedText(page)).toBe('Remove');

    await page.getByRole('button', { name: 'Remove Lena Berg' }).click();
    await dialog.getByRole('button', { name: 'Remove member' }).click();
    await page.getByText('Lena Berg is no longer a member of Field sales.').waitFor();
    await page.getByText('No members yet.').waitFor();
    // The Remove button is gone with the member: the focus is on what happened, not lost.
    await expect.poll(() => focusedText(page)).toBe('Lena Berg is no longer a member of Field sales.');
    const { data: after } = await api.GET('/users/{id}', { params: { path: { id: lena.id } } });
    expect(after!.workgroupIds).toEqual([]);

    // An extranet user's last workgroup cannot be taken from them: no Remove, and why.
    await page.getByRole('link', { name: 'All workgroups' }).click();
    await page.getByRole('list', { name: 'Workgroups' }).getByRole('link', { name: 'Partners' }).click();
    const members = page.getByRole('list', { name: 'Members' });
    await members.getByRole('link', { name: 'Xena Partner' }).waitFor();
    expect(await members.textContent()).toContain('their only workgroup: extranet users belong to at least one');
    expect(await members.getByRole('button', { name: 'Remove Xena Partner' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows a failed HR delivery with its reason and re-drives it once the cause is fixed', async () => {
    // A termination naming an employee the directory does not know yet: applying it fails.
    const delivery = standardDelivery({ type: 'employee.terminated', data: { email: 'sam.reed@corp.example' } }, { secret: LOCAL_HR_SECRET });
    const answer = await fetch(`${server.url}/webhooks/hr/standard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...delivery.headers },
      body: delivery.body,
    });
    expect(answer.status).toBe(202);
    const deliveryId = delivery.headers['webhook-id']!;
    const failed = await waitFor(
      async () => (await api.GET('/webhooks/deliveries', { params: { query: { status: 'failed' } } })).data!.items,
      (items) => items.some((item) => item.deliveryId === deliveryId),
      20_000,
      200,
    );
    expect(failed.map((item) => item.deliveryId)).toContain(deliveryId);

    const { context, page, errors } = await open('HR deliveries');
    const card = page.getByRole('listitem', { name: `Standard Webhooks delivery ${deliveryId}` });
    await card.waitFor();
    expect(await card.textContent()).toContain('employee.terminated for sam.reed@corp.example');
    expect(await card.textContent()).toContain('Reasonemployee email sam.reed@corp.example does not exist');
    expect(await seriousViolations(page)).toEqual([]);

    const sam = await activeUser('Sam', 'Reed', 'sam.reed@corp.example');
    const redrives = requestsTo(page, 'POST', /\/redrive$/);
    // A double click re-drives once: the button is busy while the call runs.
    await card.getByRole('button', { name: `Re-drive Standard Webhooks delivery ${deliveryId}` }).dblclick();
    await card.getByText('Re-driven: no longer failing.', { exact: false }).waitFor({ timeout: 20_000 });
    expect(redrives).toHaveLength(1);
    // The card's badge says so too, not still "Failed", and the old reason is gone.
    expect(await card.getByText('No longer failing', { exact: true }).count()).toBe(1);
    expect(await card.textContent()).not.toContain('does not exist');
    const { data: dismissed } = await api.GET('/users/{id}', { params: { path: { id: sam.id } } });
    expect(dismissed!.status).toBe('dismissed');

    await page.getByLabel('Show').selectOption({ label: 'Applied' });
    await page
      .getByRole('listitem', { name: `Standard Webhooks delivery ${deliveryId}` })
      .getByText('Applied', { exact: true })
      .waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('previews the cleanup in a dry run, then sweeps after a confirmation that says what happens', async () => {
    const stale = await activeUser('Olga', 'Stale', 'olga.stale@corp.example');
    const recent = await activeUser('Rita', 'Recent', 'rita.recent@corp.example');
    // The real dismissal, committed as if 100 days ago: older than the 90-day retention.
    seeding.setNow(new Date(Date.now() - 100 * DAY));
    try {
      await dismissUser(seeding, server.adminId, stale.id, {});
    } finally {
      seeding.setNow(null);
    }
    await api.POST('/users/{id}/dismiss', { params: { path: { id: recent.id } }, body: {} });

    const { context, page, errors } = await open('Cleanup');
    await page.getByRole('button', { name: 'Preview (dry run)' }).click();
    const preview = page.getByRole('region', { name: 'Dry run: who would be swept' });
    await preview.getByText('1 account would be anonymised', { exact: false }).waitFor();
    const listed = preview.getByRole('list', { name: 'Would be swept' });
    expect(await listed.getByRole('link').allTextContents()).toEqual(['Olga Stale']);
    expect(await listed.textContent()).toContain('dismissed since');
    expect(await listed.textContent()).toContain('longer than the 90-day retention');
    expect(await listed.textContent()).toContain(stale.id);
    const { data: untouched } = await api.GET('/users/{id}', { params: { path: { id: stale.id } } });
    expect(untouched!.sweptAt).toBeNull();
    expect(await seriousViolations(page)).toEqual([]);

    await preview.getByRole('button', { name: 'Sweep 1 account…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Anonymise 1 account?' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('This cannot be undone.');
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    expect(await seriousViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Anonymise 1 account' }).click();
    await page.getByRole('region', { name: 'Sweep done' }).getByText('1 account anonymised; their addresses are free again.').waitFor();
    // The Sweep button went with the preview: the focus is on the result.
    await expect.poll(() => focusedText(page)).toBe('1 account anonymised; their addresses are free again.');

    const { data: swept } = await api.GET('/users/{id}', { params: { path: { id: stale.id } } });
    expect(swept!.sweptAt).not.toBeNull();
    const { data: kept } = await api.GET('/users/{id}', { params: { path: { id: recent.id } } });
    expect(kept!.sweptAt).toBeNull();
    const { data: freed } = await api.GET('/emails/{email}', { params: { path: { email: 'olga.stale@corp.example' } } });
    expect(freed!.status).toBe('free');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('subscribes a receiver, shows its secret only once, lists its deliveries, re-delivers a parked one, rotates, flags a failing receiver and deletes', async () => {
    const { context, page, errors } = await open('Event subscriptions');
    await page.getByLabel('Receiver URL (https)').fill(receiver.url);
    await page.getByLabel('Description (optional)').fill('Payroll sync');
    await page.getByRole('button', { name: 'Create subscription' }).click();
    const shown = page.getByRole('region', { name: `Subscription to ${receiver.url} created` });
    await shown.waitFor();
    expect(await shown.textContent()).toContain('Shown only now.');
    // The focus is on the secret's heading, so a screen reader reads that it is shown once.
    await expect.poll(() => focusedText(page)).toBe(`Subscription to ${receiver.url} created`);
    const secret = await shown.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    expect(await everythingOn(page)).toContain(secret);
    await shown.getByRole('button', { name: 'Copy secret' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await shown.getByRole('button', { name: 'I have stored the secret' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await everythingOn(page)).not.toContain(secret);
    await awayAndBack(page, 'Event subscriptions');
    expect(await everythingOn(page)).not.toContain(secret);

    // A change after subscribing: its event reaches the receiver, signed with the secret shown.
    const nina = await activeUser('Nina', 'Park', 'nina.park@corp.example');
    await waitFor(
      async () => receiver.received.filter((r) => r.body.data.userId === nina.id).length,
      (n) => n >= 2,
      20_000,
      200,
    );
    expect(receiver.received.every((request) => receiver.verifies(request, secret))).toBe(true);

    await page.getByRole('list', { name: 'Subscriptions' }).getByRole('link', { name: receiver.url }).click();
    await page.getByRole('heading', { level: 1, name: `Subscription to ${receiver.url}` }).waitFor();
    const deliveries = page.getByRole('list', { name: 'Deliveries' });
    await deliveries.getByText('user.activated').waitFor();
    expect(await everythingOn(page)).not.toContain(secret);
    expect(await deliveries.textContent()).toContain('Delivered');
    expect(await deliveries.textContent()).toContain('answered 200');

    const { data: listed } = await api.GET('/event-subscriptions');
    const subscriptionId = listed!.items.find((s) => s.url === receiver.url)!.id;
    await seedParkedDelivery(seeding, subscriptionId);
    await page.getByRole('button', { name: 'Refresh deliveries' }).click();
    await deliveries.getByText('Parked (stopped retrying)').waitFor();
    expect(await deliveries.textContent()).toContain('Last answeranswered 500');
    expect(await seriousViolations(page)).toEqual([]);
    const retries = requestsTo(page, 'POST', /\/deliveries\/[^/]+\/retry$/);
    // A double click re-delivers once: the button is busy while the call runs.
    await page.getByRole('button', { name: 'Re-deliver user.invited #1' }).dblclick();
    await page.getByText('user.invited #1 queued again', { exact: false }).waitFor();
    expect(retries).toHaveLength(1);

    // Rotation, confirmed, says the old secret keeps signing for 24 hours and shows the new one once.
    await page.getByRole('button', { name: 'Rotate secret…' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate the signing secret?' });
    expect(await rotate.textContent()).toContain('keeps signing beside it for 24 hours');
    await rotate.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('region', { name: 'New signing secret' });
    const newSecret = await rotated.getByLabel('Signing secret').inputValue();
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(secret);
    expect(await rotated.textContent()).toContain('The previous secret keeps signing beside it until');
    // The Rotate button was read again with the subscription: the focus is on the new secret's heading.
    await expect.poll(() => focusedText(page)).toBe('New signing secret');
    await rotated.getByRole('button', { name: 'I have stored the secret' }).click();
    await rotated.waitFor({ state: 'detached' });
    expect(await everythingOn(page)).not.toContain(newSecret);

    // A receiver that starts failing is flagged where the admin looks.
    receiver.answer(500);
    await activeUser('Ivo', 'Fail', 'ivo.fail@corp.example');
    await waitFor(
      async () => (await api.GET('/event-subscriptions/{id}', { params: { path: { id: subscriptionId } } })).data!.failingSince,
      (since) => since !== null,
      20_000,
      200,
    );
    await page.getByRole('link', { name: 'All subscriptions' }).click();
    await page.getByRole('list', { name: 'Subscriptions' }).getByText('Failing since', { exact: false }).waitFor();
    receiver.answer(200);

    await page.getByRole('list', { name: 'Subscriptions' }).getByRole('link', { name: receiver.url }).click();
    expect(await everythingOn(page)).not.toContain(newSecret);
    await page.getByRole('button', { name: 'Delete subscription…' }).click();
    const remove = page.getByRole('dialog', { name: 'Delete this subscription?' });
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    await remove.getByRole('button', { name: 'Delete subscription' }).click();
    await page.getByText('No subscriptions yet.').waitFor();
    expect((await api.GET('/event-subscriptions')).data!.items).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('connects a SCIM system with a token it never shows again, follows a sync to completion, and removes it', async () => {
    const { context, page, errors } = await open('Connectors');
    await page.getByLabel('Name').fill('Chat app');
    await page.getByLabel('SCIM base URL (where /Users is)').fill(scim.baseUrl);
    const token = page.getByLabel('Bearer token');
    expect(await token.getAttribute('type')).toBe('password');
    await token.fill(scim.token);
    await page.getByRole('button', { name: 'Connect system' }).click();
    const card = page.getByRole('listitem', { name: 'Chat app' });
    await card.waitFor();
    expect(await token.inputValue()).toBe('');
    expect(await everythingOn(page)).not.toContain(scim.token);
    await awayAndBack(page, 'Connectors');
    await card.waitFor();
    expect(await page.getByLabel('Bearer token').inputValue()).toBe('');
    expect(await everythingOn(page)).not.toContain(scim.token);
    expect(await card.textContent()).toContain('Answering');
    expect(await seriousViolations(page)).toEqual([]);

    const syncs = requestsTo(page, 'POST', /^\/connectors\/[^/]+\/sync$/);
    // A double click starts one sync: the button is busy from the click, not from the answer.
    await card.getByRole('button', { name: 'Sync Chat app' }).dblclick();
    const progress = card.getByRole('progressbar', { name: 'Sync of Chat app' });
    await progress.waitFor();
    await card.getByText(/^Sync completed: \d+ checked, \d+ repaired, 0 failed\.$/).waitFor({ timeout: 60_000 });
    expect(await progress.getAttribute('value')).toBe('1');
    expect(syncs).toHaveLength(1);
    // Every active user has an account there now, the admin and Lena among them.
    const names = [...scim.users.values()].map((user) => user.userName.toLowerCase());
    expect(names).toEqual(expect.arrayContaining(['admin@example.com', 'lena.berg@corp.example']));
    expect(await seriousViolations(page)).toEqual([]);

    await card.getByRole('button', { name: 'Remove Chat app' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove the connector Chat app?' });
    await expect.poll(() => focusedText(page)).toBe('Cancel');
    await dialog.getByRole('button', { name: 'Remove connector' }).click();
    await page.getByText('Chat app removed: nothing more is sent to it.').waitFor();
    await expect.poll(() => focusedText(page)).toBe('Chat app removed: nothing more is sent to it.');
    expect((await api.GET('/connectors')).data!.items).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits each section at 360 px wide, long addresses and ids included', async () => {
    // What makes a narrow screen overflow: a long receiver URL, a connector, a failed HR delivery.
    const longUrl = `${receiver.url}/hooks/directory/lifecycle-events/${'payroll-and-badge-system-receiver-'.repeat(3)}endpoint?tenant=${'x'.repeat(40)}`;
    const { data: subscription } = await api.POST('/event-subscriptions', { body: { url: longUrl, description: 'Badge system' } });
    await api.POST('/connectors', {
      body: { kind: 'scim', name: `Chat app for the whole company ${'and-partners-'.repeat(4)}`, baseUrl: scim.baseUrl, token: scim.token },
    });
    const delivery = standardDelivery(
      { type: 'employee.terminated', data: { email: `${'nobody-known-'.repeat(4)}@corp.example` } },
      { secret: LOCAL_HR_SECRET },
    );
    await fetch(`${server.url}/webhooks/hr/standard`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...delivery.headers },
      body: delivery.body,
    });
    await waitFor(
      async () => (await api.GET('/webhooks/deliveries', { params: { query: { status: 'failed' } } })).data!.items,
      (items) => items.some((item) => item.deliveryId === delivery.headers['webhook-id']),
      20_000,
      200,
    );
    const shows: Record<string, string> = {
      'Event subscriptions': longUrl,
      Connectors: 'Chat app for the whole company',
      'HR deliveries': delivery.headers['webhook-id']!,
    };

    for (const section of ['Workgroups', 'HR deliveries', 'Cleanup', 'Event subscriptions', 'Connectors']) {
      const { context, page } = await open(section, { width: 360, height: 740 });
      if (shows[section]) await page.getByText(shows[section], { exact: false }).first().waitFor();
      expect(await scrollWidth(page), section).toBeLessThanOrEqual(360);
      expect(await seriousViolations(page), section).toEqual([]);
      if (section === 'Event subscriptions') {
        await page.getByRole('list', { name: 'Subscriptions' }).getByRole('link', { name: longUrl }).click();
        await page.getByRole('heading', { level: 1, name: `Subscription to ${longUrl}` }).waitFor();
        await page.getByRole('list', { name: 'Deliveries' }).or(page.getByText('No events yet.')).first().waitFor();
        expect(await scrollWidth(page), 'a subscription').toBeLessThanOrEqual(360);
        expect(await seriousViolations(page), 'a subscription').toEqual([]);
      }
      await context.close();
    }
    await api.DELETE('/event-subscriptions/{id}', { params: { path: { id: subscription!.id } } });
  });
});
