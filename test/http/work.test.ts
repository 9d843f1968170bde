import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { User } from '../../lib/domain/user';
import type { TestDeps } from '../support/db';
import { seedActiveUser } from '../support/factories';
import { startApiWithAdmin, type Api } from '../support/http';

let deps: TestDeps;
let api: Api;
let admin: User;
let token: string;

beforeAll(async () => ({ deps, api, admin, token } = await startApiWithAdmin()));
afterAll(() => api.close());

describe('work handover over HTTP', () => {
  it('tasks and activities follow the leaver to the delegate; progress is visible at /jobs/{id}', async () => {
    const leaver = await seedActiveUser(deps, admin.id);
    const delegate = await seedActiveUser(deps, admin.id);
    for (const title of ['Budget', 'Hiring plan', 'Offsite']) {
      expect((await api.request('POST', '/tasks', { token, body: { title, responsibleId: leaver.id } })).status).toBe(201);
    }
    for (const title of ['Call ACME', 'Renewal meeting']) {
      expect((await api.request('POST', '/crm/activities', { token, body: { title, responsibleId: leaver.id } })).status).toBe(201);
    }
    expect((await api.request('GET', `/users/${leaver.id}/work`, { token })).body).toEqual({ openTasks: 3, openActivities: 2 });
    const page = await api.request('GET', `/tasks?responsibleId=${leaver.id}&limit=2`, { token });
    expect(page.body.items).toHaveLength(2);
    const rest = await api.request('GET', `/tasks?responsibleId=${leaver.id}&limit=2&cursor=${page.body.nextCursor}`, { token });
    expect(rest.body).toMatchObject({ items: [expect.objectContaining({ kind: 'task', state: 'open' })], nextCursor: null });

    const dismissed = await api.request('POST', `/users/${leaver.id}/dismiss`, { token, body: { delegateId: delegate.id } });
    expect(dismissed.body.handoverJobId).toEqual(expect.any(String));
    let job = (await api.request('GET', `/jobs/${dismissed.body.handoverJobId}`, { token })).body;
    for (let i = 0; i < 100 && job.status !== 'completed'; i++) {
      await sleep(20);
      job = (await api.request('GET', `/jobs/${dismissed.body.handoverJobId}`, { token })).body;
    }

    expect(job).toMatchObject({ status: 'completed', moved: { tasks: 3, activities: 2 }, fromUserId: leaver.id, toUserId: delegate.id });
    expect((await api.request('GET', `/users/${leaver.id}/work`, { token })).body).toEqual({ openTasks: 0, openActivities: 0 });
    expect((await api.request('GET', `/users/${delegate.id}/work`, { token })).body).toEqual({ openTasks: 3, openActivities: 2 });
  });

  it('reassign answers 202 with the queued job; unknown jobs are 404', async () => {
    const owner = await seedActiveUser(deps, admin.id);
    const other = await seedActiveUser(deps, admin.id);
    const queued = await api.request('POST', `/users/${owner.id}/reassign`, { token, body: { toUserId: other.id } });
    expect(queued).toMatchObject({ status: 202, body: { reason: 'reassign', fromUserId: owner.id, toUserId: other.id } });
    expect(queued.body.version).toBeUndefined();
    expect((await api.request('GET', '/jobs/01JD3ZK1X7Q8M2V5N4R6T9W0YB', { token })).status).toBe(404);
  });

  it('validates work input: a missing responsible user is 400, a closed task closes once', async () => {
    expect((await api.request('POST', '/tasks', { token, body: { title: '', responsibleId: admin.id } })).status).toBe(400);
    expect((await api.request('POST', '/tasks', { token, body: { title: 'x' } })).body.errors[0].path).toBe('body.responsibleId');
    const task = (await api.request('POST', '/tasks', { token, body: { title: 'Close me', responsibleId: admin.id } })).body;
    expect((await api.request('POST', `/tasks/${task.id}/close`, { token })).body.state).toBe('closed');
    expect((await api.request('POST', `/tasks/${task.id}/close`, { token })).body.code).toBe('invalid_state');
  });
});
