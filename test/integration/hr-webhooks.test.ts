import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequest, NotFound, Unauthorized } from '../../lib/domain/errors';
import { dismissUser } from '../../lib/use-cases/users';
import { moveToExtranet } from '../../lib/use-cases/address-moves';
import type { User } from '../../lib/domain/user';
import { listAudit } from '../../lib/data/audit';
import { DELIVERY_RETENTION_DAYS, listDeliveryEvents, MAX_DELIVERY_AGE_DAYS } from '../../lib/data/deliveries';
import { getUser } from '../../lib/data/users';
import { applyHrDelivery } from '../../lib/use-cases/apply-hr-delivery';
import { listDeliveries, redriveDelivery } from '../../lib/use-cases/hr-deliveries';
import { receiveHrWebhook } from '../../lib/use-cases/hr-webhooks';
import type { HrProvider, VerifiedDelivery } from '../../lib/webhooks/events';
import { runDueDismissals } from '../../lib/use-cases/scheduled-dismissals';
import { createWorkgroup } from '../../lib/use-cases/workgroups';
import { createWork, workCounts } from '../../lib/use-cases/work';
import { createTestDeps, holdingJobs, itemsWithPrefix, type TestDeps } from '../support/db';
import { seedActiveUser, seedAdmin } from '../support/factories';
import { bamboohrDelivery, gustoDelivery, gustoEvent, providers, type SignedDelivery, standardDelivery } from '../support/webhooks';

let deps: TestDeps;
let admin: User;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await seedAdmin(deps);
});

const send = async (provider: string, delivery: SignedDelivery) => {
  const receipt = await receiveHrWebhook(deps, providers, provider, delivery.body, delivery.headers);
  await deps.jobs.idle();
  return receipt;
};
const employee = (externalId: string, fields: Parameters<typeof seedActiveUser>[2] = {}) => seedActiveUser(deps, admin.id, { externalId, ...fields });
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
/** The same dependencies, counting every call to DynamoDB. */
const counting = () => {
  const calls: string[] = [];
  const client = {
    send: (command: { constructor: { name: string } }) => {
      calls.push(command.constructor.name);
      return deps.table.client.send(command as never);
    },
  };
  return { deps: { ...deps, table: { ...deps.table, client: client as unknown as typeof deps.table.client } }, calls };
};
const actions = async (userId: string) => (await listAudit(deps.table, userId, 20)).items.map((e) => e.action);

describe('provider lookup', () => {
  it('knows only the providers it was given, not the names every object has, whatever the secrets store holds', async () => {
    const secretForAnything = { ...deps, webhookSecrets: { get: async () => 'any-secret' } };
    const delivery = standardDelivery({ type: 'employee.terminated' });
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'workday']) {
      await expect(receiveHrWebhook(secretForAnything, providers, name, delivery.body, delivery.headers), name).rejects.toBeInstanceOf(NotFound);
    }
  });
});

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

    const receipts = await Promise.all(Array.from({ length: 5 }, () => receiveHrWebhook(deps, providers, 'standard', delivery.body, delivery.headers)));
    await deps.jobs.idle();

    expect(receipts.filter((r) => !r.duplicate)).toHaveLength(1);
    expect((await actions(user.id)).filter((a) => a === 'user.dismissed')).toHaveLength(1);
  });

  it('a worker running twice at once applies the event once', async () => {
    const user = await employee('HR-102');
    const { deps: manual } = holdingJobs(deps);
    const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-102' } });
    const { deliveryId } = await receiveHrWebhook(manual, providers, 'standard', delivery.body, delivery.headers);

    await Promise.all([applyHrDelivery(manual, 'standard', deliveryId), applyHrDelivery(manual, 'standard', deliveryId)]);

    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    expect(await actions(user.id)).toEqual(['user.dismissed', 'invitation.accepted', 'invitation.link_issued', 'user.invited']);
    expect((await listDeliveryEvents(deps.table, 'standard', deliveryId)).map((e) => e.status)).toEqual(['applied']);
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
    expect((await listDeliveryEvents(deps.table, 'standard', late.deliveryId))[0]).toMatchObject({
      status: 'ignored',
      reason: expect.stringContaining('stale'),
    });
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
      deps.setNow(null);
    }
  });

  it("a delegateEmail hands the leaver's open work to that person", async () => {
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
    expect(failed.items.find((e) => e.deliveryId === deliveryId)).toMatchObject({
      status: 'failed',
      code: 'not_found',
      reason: 'employee externalId HR-107 does not exist',
    });

    const user = await employee('HR-107');
    await expect(redriveDelivery(deps, admin.id, 'standard', deliveryId)).resolves.toEqual({ redriven: 1 });
    await deps.jobs.idle();

    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    expect((await listDeliveries(deps, admin.id, 'failed', 100)).items.some((e) => e.deliveryId === deliveryId)).toBe(false);
    await expect(redriveDelivery(deps, admin.id, 'standard', deliveryId)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('an event the current state forbids is failed with the domain reason (a taken address)', async () => {
    await employee('HR-108');
    const { deliveryId } = await send(
      'standard',
      standardDelivery({ type: 'employee.email_changed', data: { externalId: 'HR-108', contactEmail: admin.loginEmail } }),
    );
    expect((await listDeliveryEvents(deps.table, 'standard', deliveryId))[0]).toMatchObject({ status: 'failed', code: 'email_in_use' });
  });
});

describe('Gusto and BambooHR map onto the same events', () => {
  it('a Gusto termination dismisses the employee whose externalId is the entity uuid', async () => {
    const user = await employee('bcfc9744-0ab3-4ef3-ab0d-e728255d659c');
    await send('gusto', gustoDelivery(gustoEvent('employee.terminated', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c', new Date(Date.now() - 60_000))));
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
    await send('gusto', gustoDelivery(gustoEvent('employee.termination_effective', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c', new Date(Date.now() - 30_000))));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    await send('gusto', gustoDelivery(gustoEvent('employee.rehire_effective', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c')));
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
  });

  it('a BambooHR field change with a future termination date schedules the dismissal', async () => {
    const user = await employee('4711');
    const date = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await send(
      'bamboohr',
      bamboohrDelivery({
        employees: [
          {
            id: '4711',
            timestamp: new Date().toISOString(),
            changedFields: ['status', 'terminationDate'],
            fields: { status: 'Inactive', terminationDate: date },
          },
        ],
      }),
    );
    expect((await getUser(deps.table, user.id))!.scheduledDismissal).toMatchObject({ effectiveAt: `${date}T23:59:59.999Z`, source: 'hr:bamboohr' });
  });
});

describe('what the review found', () => {
  it("a delivery whose queued message never reached the worker is picked up by the provider's retry, and by re-drive", async () => {
    const user = await employee('HR-R1');
    const { deps: broken, held } = holdingJobs(deps);
    const delivery = standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(1), data: { externalId: 'HR-R1' } });
    const first = await receiveHrWebhook(broken, providers, 'standard', delivery.body, delivery.headers);
    expect(held).toEqual([{ type: 'hrDelivery', provider: 'standard', deliveryId: first.deliveryId }]);
    expect((await listDeliveries(deps, admin.id, 'received', 100)).items.map((e) => e.deliveryId)).toContain(first.deliveryId);

    await send('standard', delivery);

    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    const stuck = standardDelivery({ type: 'employee.rehired', timestamp: new Date(Date.now() + 1000).toISOString(), data: { externalId: 'HR-R1' } });
    await receiveHrWebhook(broken, providers, 'standard', stuck.body, stuck.headers);
    await expect(redriveDelivery(deps, admin.id, 'standard', stuck.headers['webhook-id']!)).resolves.toEqual({ redriven: 1 });
    await deps.jobs.idle();
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
  });

  it('a batch larger than one transaction is recorded whole', async () => {
    const employees = Array.from({ length: 60 }, (_, i) => ({
      id: `batch-${i}`,
      changedFields: ['status', 'workEmail'],
      fields: { status: 'Inactive', workEmail: `batch-${i}@corp.example` },
    }));
    const receipt = await send('bamboohr', bamboohrDelivery({ employees }));
    expect(receipt.events).toBe(120);
    const events = await listDeliveryEvents(deps.table, 'bamboohr', receipt.deliveryId);
    expect(events).toHaveLength(120);
    expect(new Set(events.map((e) => e.status))).toEqual(new Set(['failed']));
  });

  it('an event confirming the current state still counts as news: an older one arriving later is stale', async () => {
    const user = await employee('HR-R3');
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(30), data: { externalId: 'HR-R3' } }));
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(10), data: { externalId: 'HR-R3' } }));
    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: minutesAgo(20), data: { externalId: 'HR-R3' } }));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
  });

  it('after a contractor conversion, a late termination matched by address does not hit the new account', async () => {
    await employee('HR-R4', { loginEmail: 'hr-r4@corp.example' });
    const workgroup = await createWorkgroup(deps, admin.id, { name: 'R4 contractors', extranet: true });
    await send(
      'standard',
      standardDelivery({
        type: 'employee.contractor_converted',
        timestamp: minutesAgo(5),
        data: { email: 'hr-r4@corp.example', workgroupIds: [workgroup.id] },
      }),
    );
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(10), data: { email: 'hr-r4@corp.example' } }));
    const claim = (await deps.table.client.send(new GetCommand({ TableName: deps.table.name, Key: { pk: 'EMAIL#hr-r4@corp.example', sk: 'CLAIM' } }))).Item!;
    expect((await getUser(deps.table, String(claim.userId)))!).toMatchObject({ type: 'extranet', status: 'active' });
  });

  it('the same event re-sent under a new delivery id does not undo what happened since', async () => {
    const user = await employee('HR-R5');
    const at = minutesAgo(3);
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: minutesAgo(20), data: { externalId: 'HR-R5' } }));
    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: at, data: { externalId: 'HR-R5' } }));
    await dismissUser(deps, admin.id, user.id, {});
    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: at, data: { externalId: 'HR-R5' } }));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
  });

  it('an event time from the future is capped at receipt, so later events still apply', async () => {
    const user = await employee('HR-R9');
    await send('standard', standardDelivery({ type: 'employee.terminated', timestamp: '2099-01-01T00:00:00Z', data: { externalId: 'HR-R9' } }));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await send('standard', standardDelivery({ type: 'employee.rehired', timestamp: new Date().toISOString(), data: { externalId: 'HR-R9' } }));
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
  });

  it('a delegate that cannot be used: the dismissal still happens, and the event is failed for all to see', async () => {
    const user = await employee('HR-R7');
    const { deliveryId } = await send(
      'standard',
      standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-R7', delegateEmail: 'nobody@corp.example' } }),
    );
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    expect((await listDeliveryEvents(deps.table, 'standard', deliveryId))[0]).toMatchObject({ status: 'failed', code: 'delegate_invalid' });
  });

  it('an event naming an unknown external id does not fall back to an address that moved to another account', async () => {
    const original = await employee('HR-MOVE', { loginEmail: 'hr-move@corp.example' });
    const workgroup = await createWorkgroup(deps, admin.id, { name: 'Move contractors', extranet: true });
    await moveToExtranet(deps, admin.id, original.id, { workgroupIds: [workgroup.id] });
    const { deliveryId } = await send(
      'standard',
      standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-UNKNOWN', email: 'hr-move@corp.example' } }),
    );
    expect((await listDeliveryEvents(deps.table, 'standard', deliveryId))[0]).toMatchObject({ status: 'failed', code: 'not_found' });
    const successor = (await getUser(deps.table, original.id))!.movedToUserId!;
    expect((await getUser(deps.table, successor))!.status).toBe('active');
  });

  it('settled delivery rows expire (TTL); failed ones stay until handled', async () => {
    await employee('HR-TTL');
    const applied = await send('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-TTL' } }));
    const failed = await send('standard', standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-TTL-UNKNOWN' } }));
    const row = async (deliveryId: string) =>
      (await deps.table.client.send(new GetCommand({ TableName: deps.table.name, Key: { pk: `HRDELIVERY#standard#${deliveryId}`, sk: 'EVENT#000' } }))).Item!;
    expect((await row(applied.deliveryId)).expiresAtEpoch).toBeGreaterThan(Date.now() / 1000 + 80 * 86_400);
    expect((await row(failed.deliveryId)).expiresAtEpoch).toBeUndefined();
  });

  it('a BambooHR entry with a new work email and a termination applies both', async () => {
    const user = await employee('4712');
    await send(
      'bamboohr',
      bamboohrDelivery({ employees: [{ id: '4712', changedFields: ['status', 'workEmail'], fields: { status: 'Inactive', workEmail: 'r10@corp.example' } }] }),
    );
    expect((await getUser(deps.table, user.id))!).toMatchObject({ status: 'dismissed', contactEmail: 'r10@corp.example' });
  });
});

describe('bounded identifiers (they become DynamoDB keys)', () => {
  it('a signed delivery with an over-long webhook-id is refused, naming the header, before any DynamoDB call', async () => {
    for (const length of [1_004, 2_104]) {
      const { deps: watched, calls } = counting();
      const delivery = standardDelivery({ type: 'employee.terminated', data: { externalId: 'HR-B1' } }, { id: 'm'.repeat(length) });
      const refused = await receiveHrWebhook(watched, providers, 'standard', delivery.body, delivery.headers).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidRequest);
      expect(refused).toMatchObject({ errors: [{ path: 'headers.webhook-id' }] });
      expect(calls).toEqual([]);
    }
  });

  it('a BambooHR employee whose id no user can hold is kept as ignored; the rest of the batch applies', async () => {
    const user = await employee('4713');
    const receipt = await send(
      'bamboohr',
      bamboohrDelivery({
        employees: [
          { id: '7'.repeat(3_000), changedFields: ['status'], fields: { status: 'Inactive' } },
          { id: '4713', changedFields: ['status'], fields: { status: 'Inactive' } },
        ],
      }),
    );
    expect((await listDeliveryEvents(deps.table, 'bamboohr', receipt.deliveryId)).map((e) => e.status)).toEqual(['ignored', 'applied']);
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
  });
});

describe('providers whose signature covers no timestamp (Gusto)', () => {
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);

  it('holds for any provider: an event with no signed time, or with one outside the window, or an id no key holds, is refused before any DynamoDB call', async () => {
    const event = { type: 'employee.terminated' as const, occurredAt: new Date().toISOString(), employee: { externalId: 'HR-ANY' } };
    const adapter = (delivery: VerifiedDelivery): HrProvider => ({ name: 'any', receive: () => delivery });
    const cases: [VerifiedDelivery, unknown][] = [
      [{ deliveryId: 'd-1', signedAt: null, entries: [{ sourceType: 'x', event }] }, Unauthorized],
      [{ deliveryId: 'd-2', signedAt: daysAgo(MAX_DELIVERY_AGE_DAYS + 1).toISOString(), entries: [{ sourceType: 'x', event }] }, Unauthorized],
      [
        { deliveryId: 'd-3', signedAt: new Date(Date.now() + (MAX_DELIVERY_AGE_DAYS + 1) * 86_400_000).toISOString(), entries: [{ sourceType: 'x', event }] },
        Unauthorized,
      ],
      [{ deliveryId: 'd-4', signedAt: 'not a time', entries: [{ sourceType: 'x', event }] }, Unauthorized],
      [{ deliveryId: 'd'.repeat(2_000), signedAt: new Date().toISOString(), entries: [{ sourceType: 'x', event }] }, InvalidRequest],
    ];
    for (const [delivery, refusal] of cases) {
      const { deps: watched, calls } = counting();
      const anySecret = { ...watched, webhookSecrets: { get: async () => 'any-secret' } };
      await expect(receiveHrWebhook(anySecret, { any: adapter(delivery) }, 'any', '{}', {}), delivery.deliveryId.slice(0, 8)).rejects.toBeInstanceOf(refusal);
      expect(calls).toEqual([]);
    }
    // Nothing in it acts: a payload the adapter does not read needs no signed time.
    const { deps: watched } = counting();
    const anySecret = { ...watched, webhookSecrets: { get: async () => 'any-secret' } };
    await expect(
      receiveHrWebhook(anySecret, { any: adapter({ deliveryId: 'd-5', signedAt: null, entries: [{ sourceType: 'x', ignored: 'unread' }] }) }, 'any', '{}', {}),
    ).resolves.toMatchObject({ events: 1 });
  });

  it('the replay guard outlives the oldest delivery accepted', () => {
    expect(MAX_DELIVERY_AGE_DAYS).toBeLessThan(DELIVERY_RETENTION_DAYS);
  });

  it('a correctly signed event older than the window is refused with 401 and changes nothing', async () => {
    const user = await employee('gusto-stale-1');
    const delivery = gustoDelivery(gustoEvent('employee.termination_effective', 'gusto-stale-1', daysAgo(MAX_DELIVERY_AGE_DAYS + 1)));
    await expect(send('gusto', delivery)).rejects.toBeInstanceOf(Unauthorized);
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
    expect(await itemsWithPrefix(deps.table, `HRDELIVERY#gusto#${JSON.parse(delivery.body).uuid}`)).toEqual([]);
  });

  it('a captured termination replayed after its replay record expired does not dismiss the rehired employee again', async () => {
    const user = await employee('gusto-replay-1');
    const termination = gustoDelivery(gustoEvent('employee.termination_effective', 'gusto-replay-1', new Date(Date.now() - 60_000)));
    await send('gusto', termination);
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    await send('gusto', gustoDelivery(gustoEvent('employee.rehire_effective', 'gusto-replay-1')));
    expect((await getUser(deps.table, user.id))!.status).toBe('active');

    // Past the retention DynamoDB's TTL removes the delivery and its rows: the replay guard is gone.
    const pk = `HRDELIVERY#gusto#${JSON.parse(termination.body).uuid}`;
    for (const item of await itemsWithPrefix(deps.table, pk)) {
      await deps.table.client.send(new DeleteCommand({ TableName: deps.table.name, Key: { pk: item.pk, sk: item.sk } }));
    }
    deps.setNow(new Date(Date.now() + (DELIVERY_RETENTION_DAYS + 1) * 86_400_000));
    try {
      await expect(send('gusto', termination)).rejects.toBeInstanceOf(Unauthorized);
    } finally {
      deps.setNow(null);
    }
    expect((await getUser(deps.table, user.id))!.status).toBe('active');
    expect(await itemsWithPrefix(deps.table, pk)).toEqual([]);
  });

  it('an event within the window is accepted as before', async () => {
    const user = await employee('gusto-late-1');
    await send('gusto', gustoDelivery(gustoEvent('employee.termination_effective', 'gusto-late-1', daysAgo(MAX_DELIVERY_AGE_DAYS - 1))));
    expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
  });
});

describe('large BambooHR batches', () => {
  it('250 employees are 250 events, recorded in three transactions and queued, none ignored; then applied', async () => {
    const known = [await employee('big-0'), await employee('big-249')];
    const { deps: held, held: messages } = holdingJobs(deps);
    const employees = Array.from({ length: 250 }, (_, i) => ({ id: `big-${i}`, changedFields: ['status'], fields: { status: 'Inactive' } }));
    const delivery = bamboohrDelivery({ employees });
    const receipt = await receiveHrWebhook(held, providers, 'bamboohr', delivery.body, delivery.headers);

    expect(receipt.events).toBe(250);
    const recorded = await listDeliveryEvents(deps.table, 'bamboohr', receipt.deliveryId);
    expect(recorded.map((e) => e.index)).toEqual(employees.map((_, i) => i));
    expect(recorded.every((e) => e.status === 'received' && e.event?.type === 'employee.terminated')).toBe(true);
    expect(messages).toEqual([{ type: 'hrDelivery', provider: 'bamboohr', deliveryId: receipt.deliveryId }]);

    await applyHrDelivery(deps, 'bamboohr', receipt.deliveryId);
    for (const user of known) expect((await getUser(deps.table, user.id))!.status).toBe('dismissed');
    const statuses = (await listDeliveryEvents(deps.table, 'bamboohr', receipt.deliveryId)).map((e) => e.status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(248);
  }, 60_000);

  it("over a thousand events keep their order: an employee's address change still comes before their termination", async () => {
    const { deps: held } = holdingJobs(deps);
    // Two events per employee: employee 499's are events 998 and 999, employee 500's 1000 and 1001.
    const employees = Array.from({ length: 520 }, (_, i) => ({
      id: `order-${i}`,
      changedFields: ['status', 'workEmail'],
      fields: { status: 'Inactive', workEmail: `o${i}@corp.example` },
    }));
    const delivery = bamboohrDelivery({ employees });
    const receipt = await receiveHrWebhook(held, providers, 'bamboohr', delivery.body, delivery.headers);
    expect(receipt.events).toBe(1_040);
    const recorded = await listDeliveryEvents(deps.table, 'bamboohr', receipt.deliveryId);
    expect(recorded.map((e) => e.index)).toEqual(Array.from({ length: 1_040 }, (_, i) => i));
    expect(recorded.slice(998, 1_002).map((e) => e.event?.type)).toEqual([
      'employee.email_changed',
      'employee.terminated',
      'employee.email_changed',
      'employee.terminated',
    ]);
  }, 60_000);
});
