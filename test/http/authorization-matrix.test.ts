import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLoginEmailChange } from '../../lib/use-cases/address-moves';
import { reassignWork } from '../../lib/use-cases/handover';
import { receiveHrWebhook } from '../../lib/use-cases/hr-webhooks';
import { gustoDelivery, gustoEvent, providers, standardDelivery } from '../support/webhooks';
import { createWork } from '../../lib/use-cases/work';
import { addWorkgroupMember, createWorkgroup } from '../../lib/use-cases/workgroups';
import { LocalJwt } from '../../lib/local/local-auth';
import { routes, type RouteId } from '../../lib/http/routes';
import * as requests from '../../lib/http/requests';

const successStatus = (id: string): number => (requests as unknown as Record<string, { status: number }>)[id]!.status;
import type { User } from '../../lib/domain/user';
import { dismissUser, inviteUser } from '../../lib/use-cases/users';
import { createTestDeps, type TestDeps } from '../support/db';
import { seedParkedDelivery } from '../support/receiver';
import { createSubscription } from '../../lib/use-cases/subscriptions';
import { createConnector, startConnectorSync } from '../../lib/use-cases/connectors';
import { makeInvite, seedActiveUser, seedAdmin } from '../support/factories';
import { startApi, type Api } from '../support/http';

let deps: TestDeps;
let api: Api;
let admin: User;
const tokens: Record<'admin' | 'member' | 'dismissedAdmin' | 'stranger' | 'foreignKey' | 'garbage', string> = {} as never;

/** A valid request per route, built on fresh fixtures so the admin column can succeed. */
const validRequest: Record<RouteId, () => Promise<{ path: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }>> = {
  inviteUser: async () => ({ path: '/users', body: makeInvite() }),
  acceptInvitation: async () => {
    await inviteUser(deps, admin.id, makeInvite());
    return { path: '/invitations/accept', body: { token: (await deps.sentMail()).at(-1)!.token } };
  },
  getUser: async () => ({ path: `/users/${admin.id}` }),
  listUsers: async () => ({ path: '/users?limit=5' }),
  lookupEmail: async () => ({ path: `/emails/${encodeURIComponent(admin.loginEmail)}` }),
  dismissUser: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/dismiss`, body: {} }),
  eraseUser: async () => {
    const user = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, user.id, {});
    return { path: `/users/${user.id}/erase` };
  },
  rehireUser: async () => {
    const user = await seedActiveUser(deps, admin.id);
    await dismissUser(deps, admin.id, user.id, {});
    return { path: `/users/${user.id}/rehire` };
  },
  setContactEmail: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/contact-email`, body: { email: null } }),
  setAdmin: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/admin`, body: { isAdmin: true } }),
  listAudit: async () => ({ path: `/users/${admin.id}/audit` }),
  requestLoginEmailChange: async () => ({
    path: `/users/${(await seedActiveUser(deps, admin.id)).id}/login-email-change`,
    body: { email: `${randomUUID()}@new.example` },
  }),
  confirmLoginEmailChange: async () => {
    const user = await seedActiveUser(deps, admin.id);
    await requestLoginEmailChange(deps, admin.id, user.id, `${randomUUID()}@new.example`);
    return { path: '/login-email-change/confirm', body: { token: (await deps.sentMail()).at(-1)!.token } };
  },
  transferEmail: async () => {
    const contact = `${randomUUID()}@home.example`;
    const leaver = await seedActiveUser(deps, admin.id, { contactEmail: contact });
    await dismissUser(deps, admin.id, leaver.id, {});
    const recipient = await seedActiveUser(deps, admin.id);
    return { path: `/emails/${encodeURIComponent(contact)}/transfer`, body: { toUserId: recipient.id, as: 'contact' } };
  },
  moveToExtranet: async () => ({
    path: `/users/${(await seedActiveUser(deps, admin.id)).id}/move-to-extranet`,
    body: { workgroupIds: [(await createWorkgroup(deps, admin.id, { name: randomUUID(), extranet: true })).id] },
  }),
  createWorkgroup: async () => ({ path: '/workgroups', body: { name: `Project ${randomUUID()}`, extranet: false } }),
  listWorkgroups: async () => ({ path: '/workgroups' }),
  addWorkgroupMember: async () => {
    const workgroup = await createWorkgroup(deps, admin.id, { name: randomUUID(), extranet: false });
    return { path: `/workgroups/${workgroup.id}/members/${(await seedActiveUser(deps, admin.id)).id}` };
  },
  removeWorkgroupMember: async () => {
    const workgroup = await createWorkgroup(deps, admin.id, { name: randomUUID(), extranet: false });
    const user = await seedActiveUser(deps, admin.id);
    await addWorkgroupMember(deps, admin.id, workgroup.id, user.id);
    return { path: `/workgroups/${workgroup.id}/members/${user.id}` };
  },
  createTask: async () => ({ path: '/tasks', body: { title: 'Prepare handover notes', responsibleId: admin.id } }),
  listTasks: async () => ({ path: `/tasks?responsibleId=${admin.id}` }),
  closeTask: async () => ({ path: `/tasks/${(await createWork(deps, admin.id, 'task', { title: 't', responsibleId: admin.id })).id}/close` }),
  createActivity: async () => ({ path: '/crm/activities', body: { title: 'Call the customer', responsibleId: admin.id } }),
  listActivities: async () => ({ path: `/crm/activities?responsibleId=${admin.id}` }),
  closeActivity: async () => ({ path: `/crm/activities/${(await createWork(deps, admin.id, 'activity', { title: 'a', responsibleId: admin.id })).id}/close` }),
  workCounts: async () => ({ path: `/users/${admin.id}/work` }),
  reassignWork: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/reassign`, body: { toUserId: admin.id } }),
  getJob: async () => {
    const from = await seedActiveUser(deps, admin.id);
    return { path: `/jobs/${(await reassignWork(deps, admin.id, from.id, admin.id)).id}` };
  },
  hrWebhookStandard: async () => {
    const delivery = standardDelivery({ type: 'employee.rehired', data: { externalId: `matrix-${randomUUID()}` } });
    return { path: '/webhooks/hr/standard', rawBody: delivery.body, headers: delivery.headers };
  },
  hrWebhook: async () => {
    const delivery = gustoDelivery(gustoEvent('employee.rehire_effective', randomUUID()));
    return { path: '/webhooks/hr/gusto', rawBody: delivery.body, headers: delivery.headers };
  },
  listDeliveries: async () => ({ path: '/webhooks/deliveries?status=failed' }),
  redriveDelivery: async () => {
    const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: `matrix-${randomUUID()}` } });
    const { deliveryId } = await receiveHrWebhook(deps, providers, 'standard', delivery.body, delivery.headers);
    await deps.jobs.idle();
    return { path: `/webhooks/deliveries/standard/${deliveryId}/redrive` };
  },
  runCleanup: async () => ({ path: '/cleanup/run', body: { dryRun: true } }),
  setLegalHold: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/legal-hold`, body: { legalHold: true } }),
  createEventSubscription: async () => ({ path: '/event-subscriptions', body: { url: 'http://127.0.0.1:9/hook' } }),
  listEventSubscriptions: async () => ({ path: '/event-subscriptions' }),
  getEventSubscription: async () => ({ path: `/event-subscriptions/${(await subscription()).id}` }),
  deleteEventSubscription: async () => ({ path: `/event-subscriptions/${(await subscription()).id}` }),
  rotateEventSubscriptionSecret: async () => ({ path: `/event-subscriptions/${(await subscription()).id}/rotate-secret` }),
  listEventDeliveries: async () => ({ path: `/event-subscriptions/${(await subscription()).id}/deliveries` }),
  retryEventDelivery: async () => {
    const { id } = await subscription();
    return { path: `/event-subscriptions/${id}/deliveries/${await seedParkedDelivery(deps, id)}/retry` };
  },
  createConnector: async () => ({ path: '/connectors', body: { kind: 'scim', name: 'App', baseUrl: 'http://127.0.0.1:9/scim/v2', token: 'tok-123' } }),
  listConnectors: async () => ({ path: '/connectors' }),
  getConnector: async () => ({ path: `/connectors/${(await connector()).id}` }),
  deleteConnector: async () => ({ path: `/connectors/${(await connector()).id}` }),
  syncConnector: async () => ({ path: `/connectors/${(await connector()).id}/sync` }),
  getConnectorSyncJob: async () => {
    const { id } = await connector();
    return { path: `/connectors/${id}/sync/${(await startConnectorSync(deps, admin.id, id)).id}` };
  },
  getUserAccess: async () => ({ path: `/users/${(await seedActiveUser(deps, admin.id)).id}/access` }),
  openapi: async () => ({ path: '/openapi.json' }),
};

/** A connector to a closed port (attempts fail and retry quietly). */
const connector = () => createConnector(deps, admin.id, { kind: 'scim', name: 'Closed', baseUrl: 'http://127.0.0.1:9/scim/v2', token: 'tok-123' });

/** A subscription nobody receives for (its port is closed: attempts fail and retry quietly). */
const subscription = () => createSubscription(deps, admin.id, { url: 'http://127.0.0.1:9/hook', eventTypes: ['user.none'] });

beforeAll(async () => {
  deps = await createTestDeps();
  api = await startApi(deps);
  admin = await seedAdmin(deps);
  const member = await seedActiveUser(deps, admin.id);
  const dismissedAdmin = await seedAdmin(deps);
  await dismissUser(deps, admin.id, dismissedAdmin.id, {});
  tokens.admin = await api.tokenFor(admin.id);
  tokens.member = await api.tokenFor(member.id);
  tokens.dismissedAdmin = await api.tokenFor(dismissedAdmin.id);
  tokens.stranger = await api.tokenFor('01JD3ZK1X7Q8M2V5N4R6T9W0YB');
  tokens.foreignKey = await LocalJwt.fromKey(new TextEncoder().encode('some-other-key-0123456789abcdefgh')).sign(admin.id);
  tokens.garbage = 'not.a.jwt';
});
afterAll(() => api.close());

describe('authorization matrix: every route x no token, bad token, non-admin, admin', () => {
  const adminRoutes = routes.filter((route) => route.auth === 'admin');
  const publicRoutes = routes.filter((route) => route.auth === 'public');

  it.each(adminRoutes.map((route) => [route.id, route] as const))('%s is deny-by-default', async (id, route) => {
    const send = async (token?: string) => {
      const { path, body } = await validRequest[id]();
      return api.request(route.method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
    };
    const unauthenticated = [await send(), await send(tokens.garbage), await send(tokens.foreignKey)];
    expect(unauthenticated.map((r) => [r.status, r.body.code])).toEqual(Array(3).fill([401, 'unauthorized']));
    const forbidden = [await send(tokens.member), await send(tokens.dismissedAdmin), await send(tokens.stranger)];
    expect(forbidden.map((r) => [r.status, r.body.code])).toEqual(Array(3).fill([403, 'forbidden']));
    const allowed = await send(tokens.admin);
    expect(allowed.status).toBe(successStatus(id));
  });

  it.each(publicRoutes.map((route) => [route.id, route] as const))('%s needs no bearer and ignores one', async (id, route) => {
    for (const token of [undefined, tokens.garbage]) {
      const { path, body, rawBody, headers } = await validRequest[id]();
      const response = await api.request(route.method, path, {
        ...(token ? { token } : {}),
        ...(body !== undefined ? { body } : {}),
        ...(rawBody !== undefined ? { rawBody } : {}),
        ...(headers ? { headers } : {}),
      });
      expect(response.status).toBe(successStatus(id));
    }
  });

  it('covers every route', () => {
    expect(Object.keys(validRequest).sort()).toEqual(routes.map((route) => route.id).sort());
  });
});
