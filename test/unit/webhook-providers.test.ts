import { afterEach, describe, expect, it, vi } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { InvalidRequest, Unauthorized } from '../../lib/domain/errors';
import { bamboohr } from '../../lib/webhooks/providers/bamboohr';
import { gusto } from '../../lib/webhooks/providers/gusto';
import { standard } from '../../lib/webhooks/providers/standard';
import { testWebhookSecrets } from '../support/db';
import { bamboohrDelivery, gustoDelivery, gustoEvent, standardDelivery } from '../support/webhooks';

const now = () => new Date();
afterEach(() => vi.useRealTimers());

describe('Standard Webhooks', () => {
  // The published test vector of the Standard Webhooks reference implementation.
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    payload: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const vectorHeaders = { 'webhook-id': vector.id, 'webhook-timestamp': String(vector.timestamp), 'webhook-signature': vector.signature };

  it('the published test vector verifies at its own time (and our signer agrees with it)', () => {
    expect(new Webhook(vector.secret).sign(vector.id, new Date(vector.timestamp * 1000), vector.payload)).toBe(vector.signature);
    vi.useFakeTimers({ now: vector.timestamp * 1000 });
    const delivery = standard.receive({ rawBody: vector.payload, headers: vectorHeaders, secret: vector.secret, now: now() });
    expect(delivery.deliveryId).toBe(vector.id);
    expect(delivery.entries).toEqual([{ sourceType: 'unknown', ignored: 'payload does not match the documented shape' }]);
  });

  it('rejects the same vector more than five minutes later, and a tampered body', () => {
    vi.useFakeTimers({ now: (vector.timestamp + 301) * 1000 });
    expect(() => standard.receive({ rawBody: vector.payload, headers: vectorHeaders, secret: vector.secret, now: now() })).toThrow(Unauthorized);
    vi.useFakeTimers({ now: vector.timestamp * 1000 });
    expect(() => standard.receive({ rawBody: '{"test": 2432232315}', headers: vectorHeaders, secret: vector.secret, now: now() })).toThrow(Unauthorized);
  });

  it('maps an event in our vocabulary, with the event time from the payload when given', () => {
    const { body, headers } = standardDelivery({
      type: 'employee.terminated',
      timestamp: '2026-11-20T10:00:00Z',
      data: { externalId: 'E1', effectiveAt: '2026-12-01T00:00:00Z', delegateEmail: 'boss@corp.example' },
    });
    const { entries } = standard.receive({ rawBody: body, headers, secret: testWebhookSecrets.standard, now: now() });
    expect(entries).toEqual([
      {
        sourceType: 'employee.terminated',
        event: {
          type: 'employee.terminated',
          occurredAt: '2026-11-20T10:00:00.000Z',
          employee: { externalId: 'E1', email: undefined },
          effectiveAt: '2026-12-01T00:00:00Z',
          delegateEmail: 'boss@corp.example',
          workgroupIds: undefined,
        },
      },
    ]);
  });

  it('refuses an over-long or malformed webhook-id, naming the header (it becomes a key)', () => {
    for (const id of ['m'.repeat(129), 'm'.repeat(1_004), 'm'.repeat(2_104), 'msg with spaces', 'msg_\u00e9t\u00e9', '']) {
      const { body, headers } = standardDelivery({ type: 'employee.terminated', data: { externalId: 'E1' } }, { id });
      let refused: unknown;
      try {
        standard.receive({ rawBody: body, headers, secret: testWebhookSecrets.standard, now: now() });
      } catch (error) {
        refused = error;
      }
      // An empty id is no signature the library accepts: 401 like any other.
      if (id === '') expect(refused, 'empty').toBeInstanceOf(Unauthorized);
      else {
        expect(refused, `${id.length} characters`).toBeInstanceOf(InvalidRequest);
        expect(refused).toMatchObject({ errors: [{ path: 'headers.webhook-id', message: expect.stringContaining('128') }] });
      }
    }
    const longest = standardDelivery({ type: 'employee.terminated', data: { externalId: 'E1' } }, { id: `msg_${'x'.repeat(124)}` });
    expect(standard.receive({ rawBody: longest.body, headers: longest.headers, secret: testWebhookSecrets.standard, now: now() }).deliveryId).toHaveLength(128);
  });

  it('keeps a payload naming a workgroup id no key can hold as ignored', () => {
    const { body, headers } = standardDelivery({ type: 'employee.contractor_converted', data: { externalId: 'E1', workgroupIds: ['w'.repeat(2_000)] } });
    expect(standard.receive({ rawBody: body, headers, secret: testWebhookSecrets.standard, now: now() }).entries).toEqual([
      { sourceType: 'unknown', ignored: 'payload does not match the documented shape' },
    ]);
  });

  it('reports the signed timestamp as the time the delivery was made', () => {
    const at = new Date(Date.now() - 60_000);
    const { body, headers } = standardDelivery({ type: 'employee.rehired', data: { externalId: 'E1' } }, { at });
    expect(standard.receive({ rawBody: body, headers, secret: testWebhookSecrets.standard, now: now() }).signedAt).toBe(
      new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
    );
  });

  it('keeps unknown event types as ignored, with the reason', () => {
    const { body, headers } = standardDelivery({ type: 'employee.promoted', data: { externalId: 'E1' } });
    expect(standard.receive({ rawBody: body, headers, secret: testWebhookSecrets.standard, now: now() }).entries).toEqual([
      { sourceType: 'employee.promoted', ignored: 'event type employee.promoted is not one this directory applies' },
    ]);
  });
});

describe('Gusto', () => {
  it('verifies the hex HMAC-SHA256 of the raw body and matches the employee by entity_uuid', () => {
    const event = gustoEvent('employee.termination_effective', 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c', new Date('2026-11-20T10:00:00Z'));
    const { body, headers } = gustoDelivery(event);
    const delivery = gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() });
    expect(delivery).toEqual({
      deliveryId: event.uuid,
      signedAt: '2026-11-20T10:00:00.000Z',
      entries: [
        {
          sourceType: 'employee.termination_effective',
          event: { type: 'employee.terminated', occurredAt: '2026-11-20T10:00:00.000Z', employee: { externalId: 'bcfc9744-0ab3-4ef3-ab0d-e728255d659c' } },
        },
      ],
    });
  });

  it('acts on effective terminations and rehires only: a recorded one may be dated weeks ahead', () => {
    for (const type of ['employee.terminated_effective', 'employee.termination_effective']) {
      const { body, headers } = gustoDelivery(gustoEvent(type, 'E'));
      expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).entries[0]).toMatchObject({
        event: { type: 'employee.terminated' },
      });
    }
    for (const type of ['employee.terminated', 'employee.rehired']) {
      const { body, headers } = gustoDelivery(gustoEvent(type, 'E'));
      expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).entries[0]).toMatchObject({ ignored: expect.any(String) });
    }
  });

  it('maps effective rehires and cancelled terminations to rehired; keeps other events as ignored', () => {
    for (const type of ['employee.rehire_effective', 'employee.termination_cancelled']) {
      const { body, headers } = gustoDelivery(gustoEvent(type, 'E'));
      expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).entries[0]).toMatchObject({
        event: { type: 'employee.rehired' },
      });
    }
    const { body, headers } = gustoDelivery(gustoEvent('employee.updated', 'E'));
    expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).entries[0]).toMatchObject({
      ignored: expect.stringContaining('employee.updated'),
    });
  });

  it('reports the event time as the signed time (the signature covers no timestamp), or none for a payload it does not read', () => {
    const { body, headers } = gustoDelivery(gustoEvent('employee.termination_effective', 'E', new Date('2026-11-20T10:00:00Z')));
    expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).signedAt).toBe('2026-11-20T10:00:00.000Z');
    const verification = gustoDelivery({ verification_token: 'abc', webhook_subscription_uuid: 'def' });
    expect(gusto.receive({ rawBody: verification.body, headers: verification.headers, secret: testWebhookSecrets.gusto, now: now() })).toMatchObject({
      signedAt: null,
      entries: [{ ignored: expect.any(String) }],
    });
  });

  it('never takes a malformed uuid as the delivery id', () => {
    for (const uuid of ['u'.repeat(129), 'with space', 'tab\there']) {
      const { body, headers } = gustoDelivery({ ...gustoEvent('employee.termination_effective', 'E'), uuid });
      expect(gusto.receive({ rawBody: body, headers, secret: testWebhookSecrets.gusto, now: now() }).deliveryId).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it.each([
    ['a tampered body', (d: { body: string; headers: Record<string, string> }) => ({ ...d, body: d.body.replace('terminated', 'rehired') })],
    ['a missing signature', (d: { body: string; headers: Record<string, string> }) => ({ ...d, headers: {} })],
    ['a signature with another key', () => gustoDelivery(gustoEvent('employee.terminated', 'E'), 'not-the-token')],
    ['a non-hex signature', (d: { body: string; headers: Record<string, string> }) => ({ ...d, headers: { 'x-gusto-signature': 'zz' } })],
  ])('rejects %s with 401', (_, tamper) => {
    const delivery = tamper(gustoDelivery(gustoEvent('employee.terminated', 'E')));
    expect(() => gusto.receive({ rawBody: delivery.body, headers: delivery.headers, secret: testWebhookSecrets.gusto, now: now() })).toThrow(Unauthorized);
  });
});

describe('BambooHR', () => {
  const employee = (fields: Record<string, unknown>, changedFields: string[]) => ({
    employees: [{ id: '123', action: 'Updated', timestamp: '2026-11-20T10:00:00+0000', changedFields, fields }],
  });

  it('verifies HMAC-SHA256 over the raw body followed by the timestamp; maps a dated termination', () => {
    const { body, headers } = bamboohrDelivery(
      employee({ status: 'Inactive', employmentHistoryStatus: 'Terminated', terminationDate: '2026-12-31', workEmail: 'jane@corp.example' }, [
        'status',
        'terminationDate',
      ]),
    );
    const delivery = bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() });
    expect(delivery.deliveryId).toMatch(/^[0-9a-f]{40}$/);
    expect(delivery.entries).toEqual([
      {
        sourceType: 'employee_with_fields.updated',
        event: {
          type: 'employee.terminated',
          occurredAt: '2026-11-20T10:00:00.000Z',
          employee: { externalId: '123', email: 'jane@corp.example' },
          effectiveAt: '2026-12-31T23:59:59.999Z',
        },
      },
    ]);
  });

  it('reads fields sent as {value} objects, and maps rehires and work email changes', () => {
    const rehire = bamboohrDelivery(employee({ status: { value: 'Active' } }, ['status']));
    expect(bamboohr.receive({ rawBody: rehire.body, headers: rehire.headers, secret: testWebhookSecrets.bamboohr, now: now() }).entries[0]).toMatchObject({
      event: { type: 'employee.rehired' },
    });
    const email = bamboohrDelivery(employee({ workEmail: { value: 'new@corp.example' } }, ['workEmail']));
    expect(bamboohr.receive({ rawBody: email.body, headers: email.headers, secret: testWebhookSecrets.bamboohr, now: now() }).entries[0]).toMatchObject({
      event: { type: 'employee.email_changed', contactEmail: 'new@corp.example', employee: { externalId: '123' } },
    });
  });

  it('the same body gives the same delivery id, even re-signed later, so a retry is recognised', () => {
    const a = bamboohrDelivery(employee({ status: 'Active' }, ['status']), { at: new Date(Date.now() - 120_000) });
    const b = bamboohrDelivery(employee({ status: 'Active' }, ['status']));
    expect(a.headers['x-bamboohr-timestamp']).not.toBe(b.headers['x-bamboohr-timestamp']);
    const receive = (d: typeof a) => bamboohr.receive({ rawBody: d.body, headers: d.headers, secret: testWebhookSecrets.bamboohr, now: now() }).deliveryId;
    expect(receive(a)).toBe(receive(b));
  });

  it('keeps an employee whose id no directory user can hold as ignored, and maps the others of the batch', () => {
    const { body, headers } = bamboohrDelivery({
      employees: [
        { id: '9'.repeat(3_000), changedFields: ['status'], fields: { status: 'Inactive' } },
        { id: 'with\u0000control', changedFields: ['status'], fields: { status: 'Inactive' } },
        { id: 124, changedFields: ['status'], fields: { status: 'Inactive' } },
      ],
    });
    const { entries } = bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() });
    expect(entries).toEqual([
      { sourceType: 'employee_with_fields.updated', ignored: expect.stringContaining('128') },
      { sourceType: 'employee_with_fields.updated', ignored: expect.stringContaining('employee id') },
      {
        sourceType: 'employee_with_fields.updated',
        event: expect.objectContaining({ type: 'employee.terminated', employee: { externalId: '124', email: undefined } }),
      },
    ]);
  });

  it('does not look an employee up by a work email no address can be', () => {
    const { body, headers } = bamboohrDelivery(employee({ status: 'Inactive', workEmail: `${'a'.repeat(3_000)}@corp.example` }, ['status']));
    expect(bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() }).entries).toEqual([
      {
        sourceType: 'employee_with_fields.updated',
        event: expect.objectContaining({ type: 'employee.terminated', employee: { externalId: '123', email: undefined } }),
      },
    ]);
  });

  it('maps a batch of any size the body limit allows: 450 employees are 450 events', () => {
    const employees = Array.from({ length: 450 }, (_, i) => ({ id: String(i), changedFields: ['status'], fields: { status: 'Inactive' } }));
    const { body, headers } = bamboohrDelivery({ employees });
    const { entries } = bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() });
    expect(entries).toHaveLength(450);
    expect(entries.every((entry) => 'event' in entry && entry.event.type === 'employee.terminated')).toBe(true);
  });

  it('reports the signed timestamp as the time the delivery was made', () => {
    const at = new Date(Date.now() - 60_000);
    const { body, headers } = bamboohrDelivery(employee({ status: 'Active' }, ['status']), { at });
    expect(bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() }).signedAt).toBe(
      new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString(),
    );
  });

  it('keeps event-based payloads (ids only) as ignored', () => {
    const { body, headers } = bamboohrDelivery({
      type: 'employee.updated',
      timestamp: '2026-01-31T18:42:00+0000',
      data: { companyId: '1', employeeId: '123', changedFields: ['status'] },
    });
    expect(bamboohr.receive({ rawBody: body, headers, secret: testWebhookSecrets.bamboohr, now: now() }).entries[0]).toMatchObject({
      ignored: expect.stringContaining('event-based'),
    });
  });

  it.each([
    ['a timestamp over five minutes old', () => bamboohrDelivery(employee({ status: 'Active' }, ['status']), { at: new Date(Date.now() - 301_000) })],
    ['a timestamp over five minutes ahead', () => bamboohrDelivery(employee({ status: 'Active' }, ['status']), { at: new Date(Date.now() + 301_000) })],
    ['a signature with another key', () => bamboohrDelivery(employee({ status: 'Active' }, ['status']), { secret: 'other' })],
    [
      'a timestamp changed after signing',
      () => {
        const d = bamboohrDelivery(employee({ status: 'Active' }, ['status']));
        return { ...d, headers: { ...d.headers, 'x-bamboohr-timestamp': String(Number(d.headers['x-bamboohr-timestamp']) - 1) } };
      },
    ],
  ])('rejects %s with 401', (_, make) => {
    const d = make();
    expect(() => bamboohr.receive({ rawBody: d.body, headers: d.headers, secret: testWebhookSecrets.bamboohr, now: now() })).toThrow(Unauthorized);
  });
});
