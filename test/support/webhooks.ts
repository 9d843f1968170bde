import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { testWebhookSecrets } from './db';
import type { HrProvider } from '../../lib/webhooks/events';
import { bamboohr } from '../../lib/webhooks/providers/bamboohr';
import { gusto } from '../../lib/webhooks/providers/gusto';
import { standard } from '../../lib/webhooks/providers/standard';

/** Every provider, as the two webhook functions serve them between them. */
export const providers: Readonly<Record<string, HrProvider>> = { standard, gusto, bamboohr };

/**
 * Deliveries signed the way each HR system documents it, written independently of our adapters
 * (Standard Webhooks through its reference library; Gusto and BambooHR by hand from their docs).
 */
export type SignedDelivery = { body: string; headers: Record<string, string> };

export function standardDelivery(payload: unknown, options: { id?: string; at?: Date; secret?: string } = {}): SignedDelivery {
  const body = JSON.stringify(payload);
  const id = options.id ?? `msg_${randomUUID()}`;
  const at = options.at ?? new Date();
  const signature = new Webhook(options.secret ?? testWebhookSecrets.standard).sign(id, at, body);
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature } };
}

export function gustoDelivery(payload: unknown, secret = testWebhookSecrets.gusto): SignedDelivery {
  const body = JSON.stringify(payload);
  return { body, headers: { 'x-gusto-signature': createHmac('sha256', secret).update(body).digest('hex') } };
}

export function bamboohrDelivery(payload: unknown, options: { at?: Date; secret?: string } = {}): SignedDelivery {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor((options.at ?? new Date()).getTime() / 1000));
  const signature = createHmac('sha256', options.secret ?? testWebhookSecrets.bamboohr)
    .update(body + timestamp)
    .digest('hex');
  return { body, headers: { 'x-bamboohr-signature': signature, 'x-bamboohr-timestamp': timestamp } };
}

export function gustoEvent(eventType: string, employeeUuid: string, at = new Date()) {
  return {
    uuid: randomUUID(),
    event_type: eventType,
    resource_type: 'Company',
    resource_uuid: '5df911a0-e8e9-412d-8aaf-a46ad193dd96',
    entity_type: 'Employee',
    entity_uuid: employeeUuid,
    timestamp: Math.floor(at.getTime() / 1000),
  };
}
