import * as z from '../zod';
import { auditEntrySchema } from '../domain/audit';
import {
  acceptInvitationSchema, confirmLoginEmailChangeSchema, createWorkgroupSchema, membershipParamSchema, moveToExtranetSchema,
  requestLoginEmailChangeSchema, transferEmailSchema, dismissUserSchema, createWorkSchema, listWorkQuerySchema, workParamSchema, reassignWorkSchema,
  providerParamSchema, deliveryParamSchema, listDeliveriesQuerySchema, cleanupRunSchema, legalHoldSchema, emailParamSchema, inviteUserSchema, listUsersQuerySchema,
  pageQuerySchema, setAdminSchema, setContactEmailSchema, userParamSchema,
} from '../domain/commands';
import { userViewSchema } from '../domain/user';
import { workgroupSchema } from '../domain/workgroup';
import { jobSchema, workCountsSchema, workItemSchema } from '../domain/work';
import type { RouteId } from './routes';

/** What each route accepts and returns; parsing and the OpenAPI document both read this. */
export type Contract = {
  params?: z.ZodMiniType;
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  success: { status: number; schema?: z.ZodMiniType; description: string };
};

const page = (item: z.ZodMiniType, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) }).check(z.meta({ id }));

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

export const contracts = {
  inviteUser: { body: inviteUserSchema, success: { status: 201, schema: userViewSchema, description: 'The invited user' } },
  acceptInvitation: { body: acceptInvitationSchema, success: { status: 200, schema: userViewSchema, description: 'The activated user' } },
  getUser: { params: userParamSchema, success: { status: 200, schema: userViewSchema, description: 'The user' } },
  listUsers: { query: listUsersQuerySchema, success: { status: 200, schema: page(userViewSchema, 'UserPage'), description: 'A page of users' } },
  lookupEmail: { params: emailParamSchema, success: { status: 200, schema: emailUsageSchema, description: 'How the address is used' } },
  dismissUser: { params: userParamSchema, body: dismissUserSchema, success: { status: 200, schema: userViewSchema, description: 'The dismissed user' } },
  rehireUser: { params: userParamSchema, success: { status: 200, schema: userViewSchema, description: 'The rehired user' } },
  setContactEmail: { params: userParamSchema, body: setContactEmailSchema, success: { status: 200, schema: userViewSchema, description: 'The user' } },
  setAdmin: { params: userParamSchema, body: setAdminSchema, success: { status: 200, schema: userViewSchema, description: 'The user' } },
  listAudit: { params: userParamSchema, query: pageQuerySchema, success: { status: 200, schema: page(auditEntrySchema, 'AuditPage'), description: 'A page of audit entries' } },
  requestLoginEmailChange: {
    params: userParamSchema,
    body: requestLoginEmailChangeSchema,
    success: {
      status: 202,
      schema: z.object({ userId: z.string(), email: z.string(), status: z.literal('pending'), expiresAt: z.string() }).check(z.meta({ id: 'PendingLoginEmailChange' })),
      description: 'Confirmation mailed to the new address; nothing changes until it is confirmed',
    },
  },
  confirmLoginEmailChange: { body: confirmLoginEmailChangeSchema, success: { status: 200, schema: userViewSchema, description: 'The user with the new login' } },
  transferEmail: {
    params: emailParamSchema,
    body: transferEmailSchema,
    success: { status: 200, schema: z.object({ from: userViewSchema, to: userViewSchema }).check(z.meta({ id: 'Transfer' })), description: 'Both users after the transfer' },
  },
  moveToExtranet: {
    params: userParamSchema,
    body: moveToExtranetSchema,
    success: { status: 201, schema: z.object({ dismissed: userViewSchema, extranetUser: userViewSchema }).check(z.meta({ id: 'ExtranetMove' })), description: 'The dismissed employee profile and the new extranet account' },
  },
  createWorkgroup: { body: createWorkgroupSchema, success: { status: 201, schema: workgroupSchema, description: 'The workgroup' } },
  listWorkgroups: { query: pageQuerySchema, success: { status: 200, schema: page(workgroupSchema, 'WorkgroupPage'), description: 'A page of workgroups' } },
  addWorkgroupMember: { params: membershipParamSchema, success: { status: 200, schema: userViewSchema, description: 'The user with the workgroup' } },
  removeWorkgroupMember: { params: membershipParamSchema, success: { status: 200, schema: userViewSchema, description: 'The user without the workgroup' } },
  createTask: { body: createWorkSchema, success: { status: 201, schema: workItemSchema, description: 'The open task' } },
  listTasks: { query: listWorkQuerySchema, success: { status: 200, schema: page(workItemSchema, 'WorkPage'), description: 'A page of tasks' } },
  closeTask: { params: workParamSchema, success: { status: 200, schema: workItemSchema, description: 'The closed task' } },
  createActivity: { body: createWorkSchema, success: { status: 201, schema: workItemSchema, description: 'The open CRM activity' } },
  listActivities: { query: listWorkQuerySchema, success: { status: 200, schema: page(workItemSchema, 'WorkPage'), description: 'A page of CRM activities' } },
  closeActivity: { params: workParamSchema, success: { status: 200, schema: workItemSchema, description: 'The closed CRM activity' } },
  workCounts: { params: userParamSchema, success: { status: 200, schema: workCountsSchema, description: 'Open work counts' } },
  reassignWork: { params: userParamSchema, body: reassignWorkSchema, success: { status: 202, schema: jobSchema, description: 'The queued handover job' } },
  getJob: { params: workParamSchema, success: { status: 200, schema: jobSchema, description: 'The job' } },
  hrWebhook: {
    params: providerParamSchema,
    success: {
      status: 202,
      schema: z.object({ deliveryId: z.string(), events: z.int(), duplicate: z.boolean() }).check(z.meta({ id: 'HrDeliveryReceipt' })),
      description: 'Signature verified and delivery durably recorded (or a replay acknowledged); applied asynchronously',
    },
  },
  listDeliveries: {
    query: listDeliveriesQuerySchema,
    success: {
      status: 200,
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
  },
  redriveDelivery: { params: deliveryParamSchema, success: { status: 202, schema: z.object({ redriven: z.int() }), description: 'Failed events queued again' } },
  runCleanup: {
    body: cleanupRunSchema,
    success: {
      status: 200,
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
  },
  setLegalHold: { params: userParamSchema, body: legalHoldSchema, success: { status: 200, schema: userViewSchema, description: 'The user' } },
  openapi: { success: { status: 200, description: 'The OpenAPI 3.1 document' } },
} as const satisfies Record<RouteId, Contract>;
