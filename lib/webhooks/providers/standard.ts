import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
import { hrEventTypes, type HrProvider, type ParsedEntry } from '../events';
import { signatureRejected } from '../signatures';

const payloadSchema = z.object({
  type: z.string(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  data: z
    .object({
      externalId: z.string().min(1).max(128).optional(),
      email: z.string().max(254).optional(),
      effectiveAt: z.iso.datetime({ offset: true }).optional(),
      delegateEmail: z.string().max(254).optional(),
      workgroupIds: z.array(z.string()).max(20).optional(),
      contactEmail: z.string().max(254).nullable().optional(),
    })
    .default({}),
});

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`, 5-minute tolerance, verified
 * by the reference library. The body is already in our internal vocabulary.
 */
export const standard: HrProvider = {
  name: 'standard',
  receive({ rawBody, headers, secret }) {
    let payload: unknown;
    try {
      payload = new Webhook(secret).verify(rawBody, {
        'webhook-id': headers['webhook-id'] ?? '',
        'webhook-timestamp': headers['webhook-timestamp'] ?? '',
        'webhook-signature': headers['webhook-signature'] ?? '',
      });
    } catch {
      throw signatureRejected();
    }
    const deliveryId = headers['webhook-id']!;
    const sentAt = new Date(Number(headers['webhook-timestamp']) * 1000).toISOString();
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return { deliveryId, entries: [{ ignored: 'payload does not match the documented shape', sourceType: 'unknown' }] };
    const { type, timestamp, data } = parsed.data;
    const entry: ParsedEntry = (hrEventTypes as readonly string[]).includes(type)
      ? {
          sourceType: type,
          event: {
            type: type as (typeof hrEventTypes)[number],
            occurredAt: timestamp ? new Date(timestamp).toISOString() : sentAt,
            employee: { externalId: data.externalId, email: data.email },
            effectiveAt: data.effectiveAt,
            delegateEmail: data.delegateEmail,
            workgroupIds: data.workgroupIds,
            ...(data.contactEmail !== undefined ? { contactEmail: data.contactEmail } : {}),
          },
        }
      : { sourceType: type, ignored: `event type ${type} is not one this directory applies` };
    return { deliveryId, entries: [entry] };
  },
};
