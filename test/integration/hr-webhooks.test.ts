import { beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../lib/domain/user';
import { listAudit } from '../../lib/data/audit';
import { listDeliveryEvents } from '../../lib/data/deliveries';
import { getUser } from '../../lib/data/users';
import { applyHrDelivery, listDeliveries, receiveHrWebhook, redriveDelivery } from '../../lib/use-cases/hr-webhooks';
import { runDueDismissals } from '../../lib/use-cases/scheduled-dismissals';
import { createWorkgroup } from '../../lib/use-cases/workgroups';
import { createWork, workCounts } from '../../lib/use-cases/work';
import { createTestDeps, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { bamboohrDelivery, gustoDelivery, gustoEvent, standardDelivery, type SignedDelivery } from '../support/webhooks';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const send = async (provider: string, delivery: SignedDelivery) => {
  const receipt = await receiveHrWebhook(deps, provider, delivery.body, delivery.headers);
  await deps.jobs.idle();
  return receipt;
};
const employee = (externalId: string, fields: Parameters<typeof seedActiveUser>[2] = {}) => seedActiveUser(deps, admin.id, { externalId, ...fields });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const actions = async (userId: string) => (await listAudit(deps.table, userId, 20)).items.map((e) => e.action);

describe('standard provider: events applied exactly once', () => {
  it('a termination dismisses the employee found by externalId, once, however often it is delivered', async () => {
    const user = await employee('HR-100');
    const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-100' } });

    const first = await send('standard', delivery);
    const replay = await send('standard', delivery);

    expect(first).toMatchObject({ deliveryId: delivery.headers['webhook-id'], events: 1, duplicate: false });
    expect(replay).toMatchObject({ duplicate: true });
    expect((await getUser(deps.table, user.id))!).toMatchObject({ status: 'dismissed' });
    expect((await actions(user.id)).filter((a) => a === 'user.dismissed')).toHaveLength(1);
    expect((await listDeliveryEvents(deps.table, 'standard', first.deliveryId))[0]).toMatchObject({ status: 'applied' });
  });

  it('concurrent duplicate deliveries are recorded once and applied once', async () => {
    const user = await employee('HR-101');
    const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-101' } });

    const receipts = await Promise.all(Array.from({ length: 5 }, () => receiveHrWebhook(deps, 'standard', delivery.body, delivery.headers)));
    await deps.jobs.idle();

    expect(receipts.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await actions(user.id)).filter((a) => a === 'user.dismissed')).toHaveLength(1);
  });

  it('a worker running twice at once applies the event once', async () => {
    const user = await employee('HR-102');
    const manual = { ...deps, jobs: { enqueue: async () => undefined } };
    const delivery = standardDelivery({ type: 'employee.email_changed', data: { externalId: 'HR-102', contactEmail: 'hr-102@home.example' } });
    const { deliveryId } = await receiveHrWebhook(manual, 'standard', delivery.body, delivery.headers);

    await Promise.all([applyHrDelivery(manual, 'standard', deliveryId), applyHrDelivery(manual, 'standard', deliveryId)]);

    expect((await getUser(deps.table, user.id))!.contactEmail).toBe('hr-102@home.example');
    expect((await actions(user.id)).filter((a) => a === 'user.contact_email_changed')).toHaveLength(1);
  });

  it('finds the employee by address when there is no externalId', async () => {
    const user = await seedActiveUser(deps, admin.id, { loginEmail: 'by.address@corp.example' });
    await send('standard', standardDelivery({ type: 'employee.terminated', data: { email: 'BY.ADDRESS@corp.example' } }));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
  });

  it('out-of-order events never resurrect a stale state', async () => {
    const user = await employee('HR-103');
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(10), data: { externalId: 'HR-103' } }));
    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: minutesAgo(2), data: { externalId: 'HR-103' } }));
    // The termination is delivered again, late, under a new delivery id (e.g. from a retry queue).
    const late = await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(9), data: { externalId: 'HR-103' } }));

    expect((await getUser(deps.table, user.id))!.status).toBe('active');
    expect((await listDeliveryEvents(deps.table, 'standard', late.deliveryId))[0]).toMatchObject({ status: 'ignored', reason: expect.stringContaining('stale') });
  });

  it('a future effectiveAt schedules the dismissal (visible on the user), a later rehire cancels it', async () => {
    const user = await employee('HR-104');
    const effectiveAt = new Date(Date.now() + 7 * 86_400_000).toISOString();
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(5), data: { externalId: 'HR-104', effectiveAt } }));
    expect((await getUser(deps.table, user.id))!).toMatchObject({ status: 'active', scheduledDismissal: { effectiveAt, source: 'hr:standard' } });

    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: minutesAgo(1), data: { externalId: 'HR-104' } }));
    expect((await getUser(deps.table, user.id))!.scheduledDismissal).toBeNull();
    deps.setNow(new Date(Date.parse(effectiveAt) + 1000));
    try {
      expect((await runDueDismissals(deps)).dismissed).not.toContain(user.id);
    } finally {
      deps.setNow(new Date());
    }
  });

  it('a delegateEmail hands the leaver\'s open work to that person', async () => {
    const user = await employee('HR-105');
    const delegate = await seedActiveUser(deps, admin.id, { loginEmail: 'hr-delegate@corp.example' });
    await createWork(deps, admin.id, 'task', { title: 'Payroll close', responsibleId: user.id });

    await send('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-105', delegateEmail: 'hr-delegate@corp.example' } }));
    await deps.jobs.idle();

    expect(await workCounts(deps, admin.id, delegate.id)).toEqual({ openTasks: 1, openActivities: 0 });
  });

  it('a contractor conversion moves the leaver to extranet keeping their address', async () => {
    const user = await employee('HR-106', { loginEmail: 'hr-106@corp.example' });
    const workgroup = await createWorkgroup(deps, admin.id, { name: 'HR contractors', extranet: true });

    await send('standard', standardDelivery({ type: 'employee.contractor_converted', data: { externalId: 'HR-106', workgroupIds: [workgroup.id] } }));

    const profile = (await getUser(deps.table, user.id))!;
    expect(profile).toMatchObject({ status: 'dismissed', movedToUserId: expect.any(String) });
    expect((await getUser(deps.table, profile.movedToUserId!))!).toMatchObject({ type: 'extranet', loginEmail: 'hr-106@corp.example' });
  });

  it('an unknown employee is kept as failed with the reason, listed for admins, and re-drivable', async () => {
    const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-107' } });
    const { deliveryId } = await send('standard', delivery);

    const failed = await listDeliveries(deps, admin.id, 'failed', 100);
    expect(failed.items.find((e) => e.deliveryId === deliveryId)).toMatchObject({ status: 'failed', code: 'not_found', reason: 'employee externalId HR-107 does not exist' });

    const user = await employee('HR-107');
    await expect(redriveDelivery(deps, admin.id, 'standard', deliveryId)).resolves.toEqual({ redriven: 1 });
    await deps.jobs.idle();

    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    expect((await listDeliveries(deps, admin.id, 'failed', 100)).items.some((e) => e.deliveryId === deliveryId)).toBe(false);
    await expect(redriveDelivery(deps, admin.id, 'standard', deliveryId)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('an event the current state forbids is failed with the domain reason (a taken address)', async () => {
    await employee('HR-108');
    const { deliveryId } = await send('standard', standardDelivery({ type: 'employee.email_changed', data: { externalId: 'HR-108', contactEmail: admin.loginEmail } }));
    expect((await listDeliveryEvents(deps.table, 'standard', deliveryId))[0]).toMatchObject({ status: 'failed', code: 'email_in_use' });
  });
});

describe('Gusto and BambooHR map onto the same events', () => {
  it('a Gusto termination dismisses the employee whose externalId is the entity uuid', async () => {
    const user = await employee('bcfc9744-0ab3-4ef3-ab0d-e728255d659c');
    await send('gusto', gustoDelivery(gustoEvent('employee.terminated', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c')));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    await send('gusto', gustoDelivery(gustoEvent('employee.rehired', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c', new Date(Date.now() + 1000))));
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
  });

  it('a BambooHR field change with a future termination date schedules the dismissal', async () => {
    const user = await employee('4711');
    const date = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await send(
      'bamboohr',
      bamboohrDelivery({ employees: [{ id: '4711', timestamp: new Date().toISOString(), changedFields: ['status', 'terminationDate'], fields: { status: 'Inactive', terminationDate: date } }] }),
    );
    expect((await getUser(deps.table, user.id))!.scheduledDismissal).toMatchObject({ effectiveAt: `${date}T00:00:00.000Z`, source: 'hr:bamboohr' });
  });
});
