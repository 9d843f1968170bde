import { Webhook } from 'standardwebhooks';
import { InvalidRequest } from '../../domain/errors';
import * as z from '../../zod';
import { hrEventTypes, type HrProvider, type ParsedEntry } from '../events';
import { deliveryIdProblem, MAX_ID_LENGTH } from '../identifiers';
import { signatureRejected } from '../signatures';

const payloadSchema = z.object({
  type: z.string(),
  timestamp: z.optional(z.iso.datetime({ offset: true })),
  data: z._default(
    z.object({
      externalId: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
      email: z.optional(z.string().check(z.maxLength(254))),
      effectiveAt: z.optional(z.iso.datetime({ offset: true })),
      delegateEmail: z.optional(z.string().check(z.maxLength(254))),
      workgroupIds: z.optional(z.array(z.string().check(z.maxLength(MAX_ID_LENGTH))).check(z.maxLength(20))),
      contactEmail: z.optional(z.nullable(z.string().check(z.maxLength(254)))),
    }),
    {},
  ),
});

/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64 HMAC-SHA256 of id.timestamp.body>`, 5-minute tolerance, verified
 * by the reference library. The body is already in our internal vocabulary. The spec does not
 * bound `webhook-id`, but it becomes the delivery's key: one no key can hold is a 400 naming the
 * header, told only to a sender whose signature verified.
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
    const idProblem = deliveryIdProblem(deliveryId);
    if (idProblem) throw new InvalidRequest([{ path: 'headers.webhook-id', message: idProblem }]);
    const sentAt = new Date(Number(headers['webhook-timestamp']) * 1000).toISOString();
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success) return { deliveryId, signedAt: sentAt, entries: [{ ignored: 'payload does not match the documented shape', sourceType: 'unknown' }] };
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
    return { deliveryId, signedAt: sentAt, entries: [entry] };
  },
};
