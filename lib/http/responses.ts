import * as z from '../zod';
import { auditEntrySchema } from '../domain/audit';
import { userViewSchema } from '../domain/user';
import { subscriptionViewSchema } from '../domain/subscriptions';
import { accessViewSchema, connectorViewSchema } from '../domain/connectors';
import { workgroupSchema } from '../domain/workgroup';
import { jobSchema, workCountsSchema, workItemSchema } from '../domain/work';
import type { RouteId } from './routes';

/**
 * What each route returns, for the OpenAPI document only (responses are not validated at run
 * time, so no function bundles these). What routes accept is in ./requests.
 */
export type ResponseDoc = { schema?: z.ZodMiniType; description: string };

const page = (item: z.ZodMiniType, id: string) => z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) }).check(z.meta({ id }));

export const emailUsageSchema = z
  .union([
    z.object({ email: z.string(), status: z.literal('free') }),
    z.object({
      email: z.string(),
      status: z.literal('in_use'),
      usedAs: z.array(z.enum(['login', 'contact'])),
      user: z.object({ id: z.string(), status: z.string(), type: z.string() }),
    }),
  ])
  .check(z.meta({ id: 'EmailUsage' }));

const eventDeliverySchema = z
  .object({
    eventId: z.string(),
    userId: z.string(),
    sequence: z.int(),
    type: z.string(),
    status: z.enum(['pending', 'delivered', 'retrying', 'parked']),
    attempts: z.int(),
    lastStatusCode: z.nullable(z.int()).check(z.describe("The subscriber's last answer; null when it gave none (refused, unreachable, timed out)")),
    lastError: z.nullable(z.string()),
    nextAttemptAt: z.nullable(z.string()),
    updatedAt: z.string(),
  })
  .check(z.meta({ id: 'EventDelivery' }));

const syncJobSchema = z
  .object({
    id: z.string(),
    type: z.literal('connectorSync'),
    connectorId: z.string(),
    status: z.enum(['pending', 'running', 'completed', 'failed']),
    checked: z.int().check(z.describe('users looked at so far')),
    repaired: z.int().check(z.describe('accounts created, changed or removed to match the directory')),
    failed: z.int().check(z.describe('users that could not be reconciled (see failures)')),
    failures: z.array(z.object({ userId: z.string(), reason: z.string() })).check(z.describe('the first 20 failures')),
    failureReason: z.nullable(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.nullable(z.string()),
  })
  .check(z.meta({ id: 'ConnectorSyncJob' }));

const hrDeliveryReceipt = z.object({ deliveryId: z.string(), events: z.int(), duplicate: z.boolean() }).check(z.meta({ id: 'HrDeliveryReceipt' }));

export const responses = {
  inviteUser: { schema: userViewSchema, description: 'The invited user' },
  acceptInvitation: { schema: userViewSchema, description: 'The activated user' },
  getUser: { schema: userViewSchema, description: 'The user' },
  listUsers: { schema: page(userViewSchema, 'UserPage'), description: 'A page of users' },
  lookupEmail: { schema: emailUsageSchema, description: 'How the address is used' },
  dismissUser: { schema: userViewSchema, description: 'The dismissed user' },
  rehireUser: { schema: userViewSchema, description: 'The rehired user' },
  setContactEmail: { schema: userViewSchema, description: 'The user' },
  setAdmin: { schema: userViewSchema, description: 'The user' },
  listAudit: { schema: page(auditEntrySchema, 'AuditPage'), description: 'A page of audit entries' },
  requestLoginEmailChange: {
    schema: z
      .object({ userId: z.string(), email: z.string(), status: z.literal('pending'), expiresAt: z.string() })
      .check(z.meta({ id: 'PendingLoginEmailChange' })),
    description: 'Confirmation mailed to the new address; nothing changes until it is confirmed',
  },
  confirmLoginEmailChange: { schema: userViewSchema, description: 'The user with the new login' },
  transferEmail: {
    schema: z.object({ from: userViewSchema, to: userViewSchema }).check(z.meta({ id: 'Transfer' })),
    description: 'Both users after the transfer',
  },
  moveToExtranet: {
    schema: z.object({ dismissed: userViewSchema, extranetUser: userViewSchema }).check(z.meta({ id: 'ExtranetMove' })),
    description: 'The dismissed employee profile and the new extranet account',
  },
  createWorkgroup: { schema: workgroupSchema, description: 'The workgroup' },
  listWorkgroups: { schema: page(workgroupSchema, 'WorkgroupPage'), description: 'A page of workgroups' },
  addWorkgroupMember: { schema: userViewSchema, description: 'The user with the workgroup' },
  removeWorkgroupMember: { schema: userViewSchema, description: 'The user without the workgroup' },
  createTask: { schema: workItemSchema, description: 'The open task' },
  listTasks: { schema: page(workItemSchema, 'WorkPage'), description: 'A page of tasks' },
  closeTask: { schema: workItemSchema, description: 'The closed task' },
  createActivity: { schema: workItemSchema, description: 'The open CRM activity' },
  listActivities: { schema: page(workItemSchema, 'WorkPage'), description: 'A page of CRM activities' },
  closeActivity: { schema: workItemSchema, description: 'The closed CRM activity' },
  workCounts: { schema: workCountsSchema, description: 'Open work counts' },
  reassignWork: { schema: jobSchema, description: 'The queued handover job' },
  getJob: { schema: jobSchema, description: 'The job' },
  hrWebhookStandard: {
    schema: hrDeliveryReceipt,
    description: 'Signature verified and delivery durably recorded (or a replay acknowledged); applied asynchronously',
  },
  hrWebhook: {
    schema: hrDeliveryReceipt,
    description: 'Signature verified and delivery durably recorded (or a replay acknowledged); applied asynchronously',
  },
  listDeliveries: {
    schema: page(
      z
        .object({
          provider: z.string(),
          deliveryId: z.string(),
          index: z.int(),
          sourceType: z.string(),
          status: z.enum(['received', 'applied', 'ignored', 'failed']),
          event: z.nullable(z.record(z.string(), z.unknown())),
          reason: z.nullable(z.string()),
          code: z.nullable(z.string()),
          receivedAt: z.string(),
          finishedAt: z.nullable(z.string()),
        })
        .check(z.meta({ id: 'HrDeliveryEvent' })),
      'HrDeliveryEventPage',
    ),
    description: 'A page of delivery events, oldest first',
  },
  redriveDelivery: { schema: z.object({ redriven: z.int() }), description: 'Failed events queued again' },
  runCleanup: {
    schema: z
      .object({
        dryRun: z.boolean(),
        retentionDays: z.int(),
        cutoff: z.string(),
        candidates: z.int(),
        swept: z.int(),
        userIds: z.array(z.string()),
        skipped: z.array(z.object({ userId: z.string(), reason: z.string() })),
        itemsRead: z.int(),
        durationMs: z.int(),
        complete: z.boolean().check(z.describe('false when the run stopped early to stay inside its time limit; run again to continue')),
      })
      .check(z.meta({ id: 'CleanupReport' })),
    description: 'What was (or, in a dry run, would be) swept, and what was skipped and why',
  },
  setLegalHold: { schema: userViewSchema, description: 'The user' },
  eraseUser: { schema: userViewSchema, description: 'The anonymised account (already erased or swept: as it is)' },
  createEventSubscription: {
    schema: z
      .object({ ...subscriptionViewSchema.shape, secret: z.string().check(z.describe('whsec_...: shown in this answer only; verify signatures with it')) })
      .check(z.meta({ id: 'CreatedEventSubscription' })),
    description: 'The subscription and its signing secret (shown once)',
  },
  listEventSubscriptions: { schema: page(subscriptionViewSchema, 'EventSubscriptionPage'), description: 'A page of subscriptions' },
  getEventSubscription: { schema: subscriptionViewSchema, description: 'The subscription (never its secret)' },
  deleteEventSubscription: { description: 'Removed; no further delivery starts' },
  rotateEventSubscriptionSecret: {
    schema: z
      .object({ secret: z.string(), previousSecretExpiresAt: z.string().check(z.describe('Until then the previous secret signs too')) })
      .check(z.meta({ id: 'RotatedSecret' })),
    description: 'The new signing secret (shown once)',
  },
  listEventDeliveries: { schema: page(eventDeliverySchema, 'EventDeliveryPage'), description: 'A page of deliveries, newest event first' },
  retryEventDelivery: { schema: eventDeliverySchema, description: 'The parked event is due again; the events behind it follow in order' },
  createConnector: { schema: connectorViewSchema, description: 'The connector (never its token)' },
  listConnectors: { schema: page(connectorViewSchema, 'ConnectorPage'), description: 'A page of connectors' },
  getConnector: { schema: connectorViewSchema, description: 'The connector (never its token)' },
  deleteConnector: { description: 'Removed; nothing more is sent to that system' },
  syncConnector: { schema: syncJobSchema, description: 'The sync job, queued; poll GET /connectors/{id}/sync/{jobId}' },
  getConnectorSyncJob: { schema: syncJobSchema, description: 'The sync job' },
  getUserAccess: {
    schema: z.object({ items: z.array(accessViewSchema) }).check(z.meta({ id: 'UserAccess' })),
    description: 'One item per connector: provisioned, deactivated, deprovisioned, pending or failed (with the reason)',
  },
  openapi: {
    schema: z
      .looseObject({ openapi: z.string(), info: z.record(z.string(), z.unknown()), paths: z.record(z.string(), z.unknown()) })
      .check(z.meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)' })),
    description: 'The OpenAPI 3.1 document',
  },
} as const satisfies Record<RouteId, ResponseDoc>;
