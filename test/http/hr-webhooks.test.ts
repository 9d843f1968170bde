import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import type { TestDeps } from '../support/db';
import { seedActiveUser } from '../support/factories';
import { startApiWithAdmin, type Api, type ApiResponse } from '../support/http';
import { MAX_DELIVERY_AGE_DAYS } from '../../lib/data/deliveries';
import { gustoDelivery, gustoEvent, standardDelivery, type SignedDelivery } from '../support/webhooks';

let deps: TestDeps;
let api: Api;
let admin: User;

beforeAll(async () => ({ deps, api, admin } = await startApiWithAdmin()));
afterAll(() => api.close());

/** The 401 every refused signature gets, whatever was wrong with it. */
const signatureRefused = (provider: string) => ({
  status: 401,
  body: {
    type: '/problems/unauthorized',
    title: 'Authentication required',
    status: 401,
    detail: 'Webhook signature verification failed',
    code: 'unauthorized',
    instance: `/webhooks/hr/${provider}`,
  },
});

const post = async (provider: string, { body, headers }: SignedDelivery) => {
  const response = await fetch(`${api.baseUrl}/webhooks/hr/${provider}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as ApiResponse['body'] };
};

describe('POST /webhooks/hr/{provider}', () => {
  it('acknowledges a valid event with 202 at once and applies it asynchronously', async () => {
    const user = await seedActiveUser(deps, admin.id, { externalId: 'HTTP-1' });
    const response = await post('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HTTP-1' } }));
    expect(response).toMatchObject({ status: 202, body: { events: 1, duplicate: false } });
    await deps.jobs.idle();
    const token = await api.tokenFor(admin.id);
    expect((await api.request('GET', `/users/${user.id}`, { token })).body.status).toBe('dismissed');
  });

  it('answers 401 with nothing that helps an attacker for a bad signature or a stale timestamp', async () => {
    const tampered = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HTTP-2' } });
    const badSignature = await post('standard', { ...tampered, body: tampered.body.replace('HTTP-2', 'HTTP-3') });
    const stale = await post(
      'standard',
      standardDelivery({ type: 'employee.terminated', data: { externalId: 'HTTP-2' } }, { at: new Date(Date.now() - 6 * 60_000) }),
    );
    const unsigned = await post('standard', { body: '{}', headers: {} });
    for (const response of [badSignature, stale, unsigned]) expect(response).toEqual(signatureRefused('standard'));
  });

  it('answers 400 naming the header for a signed delivery whose webhook-id is over-long or malformed', async () => {
    for (const id of ['m'.repeat(1_004), 'm'.repeat(2_104), 'msg with spaces']) {
      const response = await post('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HTTP-5' } }, { id }));
      expect(response, `${id.length} characters`).toMatchObject({
        status: 400,
        body: { code: 'invalid_request', errors: [{ path: 'headers.webhook-id', message: 'must be 1 to 128 visible ASCII characters' }] },
      });
    }
  });

  it('answers 401 like a stale timestamp for a signed Gusto event older than the replay window', async () => {
    const at = new Date(Date.now() - (MAX_DELIVERY_AGE_DAYS + 1) * 86_400_000);
    const response = await post('gusto', gustoDelivery(gustoEvent('employee.termination_effective', 'HTTP-6', at)));
    expect(response).toEqual(signatureRefused('gusto'));
  });

  it('answers 404 for a provider it does not know, and 413 for an oversized body', async () => {
    expect((await post('workday', standardDelivery({ type: 'employee.terminated' }))).status).toBe(404);
    // A name every plain object has is not a provider either (it once reached the adapter lookup and failed with 500).
    expect((await post('constructor', standardDelivery({ type: 'employee.terminated' }))).status).toBe(404);
    expect((await post('standard', standardDelivery({ type: 'employee.terminated', data: { padding: 'x'.repeat(70_000) } }))).status).toBe(413);
  });

  it('lists failed deliveries for admins and re-drives them', async () => {
    const token = await api.tokenFor(admin.id);
    const { body } = await post('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HTTP-404' } }));
    await deps.jobs.idle();
    const failed = await api.request('GET', '/webhooks/deliveries?status=failed', { token });
    expect(failed.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ deliveryId: body.deliveryId, status: 'failed', code: 'not_found' })]));
    await seedActiveUser(deps, admin.id, { externalId: 'HTTP-404' });
    const redriven = await api.request('POST', `/webhooks/deliveries/standard/${body.deliveryId}/redrive`, { token });
    expect(redriven).toMatchObject({ status: 202, body: { redriven: 1 } });
  });
});
