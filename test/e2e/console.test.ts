import { gzipSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectoryClient, type DirectoryClient, type User } from '../../lib/client/client';
import { launchBrowser, seriousViolations } from '../support/browser';
import { removeTempStateDirs, startServerProcess, tempStateDir, type ServerProcess } from '../support/server-process';

let server: ServerProcess;
let browser: Browser;
let api: DirectoryClient;
let jane: User;

/** What a browser downloads to show the console's first screen may be at most this, gzipped. */
const FIRST_LOAD_BUDGET = 150 * 1024;

async function localToken(userId: string): Promise<string> {
  const response = await fetch(`${server.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  return ((await response.json()) as { token: string }).token;
}

async function invite(firstName: string, lastName: string, loginEmail: string): Promise<User> {
  const { data } = await api.POST('/users', { body: { type: 'employee', loginEmail, firstName, lastName } });
  return data!;
}

beforeAll(async () => {
  [server, browser] = await Promise.all([startServerProcess({ LOCAL_STATE_DIR: tempStateDir() }), launchBrowser()]);
  api = createDirectoryClient({ baseUrl: server.url, token: await localToken(server.adminId) });
  jane = await invite('Jane', 'Doe', 'jane.doe@corp.example');
  await invite('Janet', 'Smith', 'janet@corp.example');
  await invite('Bob', 'Stone', 'bob@corp.example');
});

afterAll(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
  removeTempStateDirs();
});

// Evaluated in the page (this project's types have no DOM).
const scrollWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth') as Promise<number>;
const focused = (page: Page) => page.evaluate('document.activeElement?.textContent') as Promise<string | undefined>;

async function newPage(viewport = { width: 1024, height: 800 }): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  // A CSP refusal or a script error shows up here: the console must run without either.
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  page.on('pageerror', (error) => errors.push(error.message));
  return { context, page, errors };
}

/** Types into the search and waits for its answer (the unfiltered list shows until then). */
async function search(page: Page, text: string, answer: string): Promise<void> {
  await page.getByRole('searchbox', { name: 'Find by the start of a name or address' }).fill(text);
  await page.getByText(answer).waitFor();
}

async function signIn(page: Page): Promise<void> {
  await page.goto(`${server.url}/console/`);
  await page.getByLabel('Directory admin').selectOption({ label: 'Directory Admin (admin@example.com)' });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as Directory Admin (admin@example.com)').waitFor();
}

describe('the admin console in a browser', () => {
  it('signs in locally, finds a user by the start of the name, opens their page and signs out', async () => {
    const { context, page, errors } = await newPage();
    await page.goto(`${server.url}/console`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await page.getByRole('heading', { name: 'Directory admin console' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await signIn(page);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    // The boot message is gone once the console runs (it once stayed above the app).
    expect(await page.getByText('Loading the admin console').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);

    await search(page, 'jan', 'Page 1: 2 users whose name or address starts with “jan”.');
    const found = page.getByRole('list', { name: 'Users found' }).getByRole('link');
    expect((await found.allTextContents()).sort()).toEqual(['Jane Doe', 'Janet Smith']);
    expect(new URL(page.url()).searchParams.get('q')).toBe('jan');

    await page.getByRole('link', { name: 'Jane Doe' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jane Doe' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/users/${jane.id}`);
    await expect.poll(() => page.getByRole('region', { name: 'Details' }).textContent()).toContain('jane.doe@corp.example');
    const audit = page.getByRole('region', { name: 'Audit trail' });
    await audit.getByText('Invited', { exact: true }).waitFor();
    await expect.poll(() => audit.textContent()).toContain('by Directory Admin (active)');
    await expect.poll(() => page.getByRole('region', { name: 'Open work' }).textContent()).toContain('0 open tasks, 0 open CRM activities');
    await expect.poll(() => page.getByRole('region', { name: 'Access in connected systems' }).textContent()).toContain('No connected systems');
    expect(await seriousViolations(page)).toEqual([]);

    // Back returns to the search as it was.
    await page.goBack();
    await page.getByRole('link', { name: 'Janet Smith' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByText('You are signed out.').waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('filters by status and type, and pages with the API cursor', async () => {
    for (let i = 0; i < 26; i += 1) await invite('Pager', `Person ${String(i).padStart(2, '0')}`, `pager-${i}@corp.example`);
    const { context, page } = await newPage();
    await signIn(page);
    await search(page, 'pager', 'Page 1: 25 users whose name or address starts with “pager”, more on the next page.');
    const found = page.getByRole('list', { name: 'Users found' }).getByRole('listitem');
    await expect.poll(() => found.count()).toBe(25);
    const next = page.getByRole('button', { name: 'Next page' });
    expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).toBe(true);
    const firstPage = await found.allTextContents();
    // Every result line the page shows from here on, however briefly (source text: no DOM types here).
    await page.evaluate(`window.__lines = [];
      new MutationObserver(() => document.querySelectorAll('p[role=status]').forEach((p) => window.__lines.push(p.textContent)))
        .observe(document.body, { subtree: true, childList: true, characterData: true });`);
    await next.click();
    await page.getByText('Page 2: 1 user whose name or address starts with “pager”.').waitFor();
    // Never page 1's 25 under page 2's number, not even for the render before the next page loads.
    expect((await page.evaluate('window.__lines')) as string[]).not.toContainEqual(expect.stringMatching(/^Page 2: 25 users/));
    await expect.poll(() => found.count()).toBe(1);
    expect(firstPage).not.toContain((await found.allTextContents())[0]);
    expect(await next.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1: 25 users whose name or address starts with “pager”, more on the next page.').waitFor();
    expect(await found.allTextContents()).toEqual(firstPage);

    await page.getByRole('searchbox', { name: 'Find by the start of a name or address' }).fill('');
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Active' });
    await expect.poll(() => page.getByRole('list', { name: 'Users found' }).getByRole('link').allTextContents()).toEqual(['Directory Admin']);
    await page.getByRole('combobox', { name: 'Status' }).selectOption({ label: 'Invited' });
    await page.getByRole('combobox', { name: 'Type' }).selectOption({ label: 'Extranet' });
    await page.getByText('No users match these filters.').waitFor();
    await context.close();
  });

  it('says "none on this page" when a search page comes back empty with more to read, and Next reads on', async () => {
    // 60 invited Fillers hold the search's first index entries; the one active match comes after them.
    for (let i = 0; i < 60; i += 5) await Promise.all(Array.from({ length: 5 }, (_, j) => invite('Filler', `Person ${i + j}`, `filler-${i + j}@corp.example`)));
    await invite('Fillerz', 'Active', 'fillerz@corp.example');
    const mail = (await (await fetch(`${server.url}/_local/outbox`)).json()) as { to: string; token: string }[];
    await api.POST('/invitations/accept', { body: { token: mail.findLast((m) => m.to === 'fillerz@corp.example')!.token } });
    const { context, page } = await newPage();
    await signIn(page);
    await page.goto(`${server.url}/console/?q=filler&status=active`);
    await page.getByText('Page 1: none on this page whose name or address starts with “filler”; the next page may have some.').waitFor();
    expect(await page.getByText('Nobody', { exact: false }).count()).toBe(0);
    const next = page.getByRole('button', { name: 'Next page' });
    expect(await next.isDisabled()).toBe(false);
    // Next until the active Filler shows (the API reads a bounded number of entries per page); each
    // page is read once it has settled: its match shown, or Next enabled for the rest.
    const match = page.getByRole('link', { name: 'Fillerz Active' });
    for (let i = 0; i < 5; i += 1) {
      await expect.poll(async () => (await match.isVisible()) || (await next.isEnabled())).toBe(true);
      if (await match.isVisible()) break;
      await next.click();
      await page.getByText(`Page ${i + 2}:`, { exact: false }).waitFor();
    }
    await match.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('works at 360 px wide without scrolling sideways, and by keyboard alone', async () => {
    const { context, page } = await newPage({ width: 360, height: 740 });
    await signIn(page);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    // From the top: the skip link first, then past the header and navigation to the search.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('Skip to the page');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.id')).toBe('user-search');
    await page.keyboard.type('janet');
    await page.getByText('Page 1: 1 user whose name or address starts with “janet”.').waitFor();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    await page.getByRole('link', { name: 'Janet Smith' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Janet Smith' }).waitFor();
    // Opening a page moves focus to its heading, so the next Tab continues inside it.
    expect(await focused(page)).toBe('Janet Smith');
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it("shows the API's problem in plain words, never a bare status", async () => {
    const { context, page } = await newPage();
    await signIn(page);
    await page.goto(`${server.url}/console/users/01JD3ZK1X7Q8M2V5N4R6T9W0YB`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = (await alert.textContent()) ?? '';
    expect(text).toContain('Not in the directory');
    expect(text).toContain('No such user exists in the directory: the link may be mistyped or out of date, or it was removed.');
    // Words, not the API's sentence for scripts: neither the id nor the status.
    expect(text).not.toContain('01JD3ZK1X7Q8M2V5N4R6T9W0YB');
    expect(text).not.toMatch(/\b404\b/);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('sends an admin whose token the API refuses back to sign-in, saying why', async () => {
    const { context, page } = await newPage();
    await page.goto(`${server.url}/console/`);
    const session = { token: 'not.a.token', expiresAt: new Date(Date.now() + 3_600_000).toISOString(), userId: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' };
    await page.evaluate(`sessionStorage.setItem('directory-console.local-session', ${JSON.stringify(JSON.stringify(session))})`);
    await page.reload();
    await page.getByText('Your sign-in has expired or was refused. Sign in again.').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('opens every section from the navigation, none of them a stub', async () => {
    const { context, page } = await newPage();
    await signIn(page);
    const sections = ['Address lookup', 'Workgroups', 'HR deliveries', 'Cleanup', 'Event subscriptions', 'Connectors'];
    for (const name of sections) {
      await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { level: 1, name }).waitFor();
      expect(await page.getByRole('link', { name, exact: true }).getAttribute('aria-current')).toBe('page');
      expect(await page.getByText('Not in the console yet.', { exact: false }).count()).toBe(0);
    }
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it(`downloads at most ${FIRST_LOAD_BUDGET / 1024} KiB gzipped for its first screen`, async () => {
    const { context, page } = await newPage();
    const bodies: { url: string; bytes: number }[] = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname.startsWith('/console/'))
        bodies.push({ url: response.url(), bytes: gzipSync(await response.body(), { level: 9 }).length });
    });
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.waitForLoadState('networkidle');
    const total = bodies.reduce((sum, body) => sum + body.bytes, 0);
    expect(bodies.map((body) => new URL(body.url).pathname)).toEqual(expect.arrayContaining(['/console/', '/console/config.json']));
    expect(bodies.some((body) => body.url.endsWith('.js'))).toBe(true);
    expect(total).toBeGreaterThan(1024);
    expect(total).toBeLessThan(FIRST_LOAD_BUDGET);
    await context.close();
  });
});
