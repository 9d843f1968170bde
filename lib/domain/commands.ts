import * as z from 'zod';
import { emailSchema } from './email';
import { userStatuses, userTypes } from './user';

/** Request shapes of the use cases; the HTTP contract and the OpenAPI document use the same schemas. */
const name = z.string().trim().min(1).max(100);
const id = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (ULID)');

export const workgroupIdSchema = id.meta({ description: 'A workgroup id (ULID)', example: '01JD3ZM4A8TXJ2R9KQ5N7B3C1D' });

export const userIdSchema = id.meta({ description: 'A user id (ULID)', example: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' });

export const inviteUserSchema = z
  .strictObject({
    type: z.enum(userTypes),
    loginEmail: emailSchema,
    contactEmail: emailSchema.nullish(),
    firstName: name,
    lastName: name,
    workgroupIds: z.array(workgroupIdSchema).max(20).optional(),
    externalId: z.string().trim().min(1).max(128).nullish(),
  })
  .meta({ id: 'InviteUser' });
export type InviteUserInput = z.output<typeof inviteUserSchema>;

export const acceptInvitationSchema = z.strictObject({ token: z.string().min(1).max(512) }).meta({ id: 'AcceptInvitation' });

export const listUsersQuerySchema = z.strictObject({
  status: z.enum(userStatuses).optional(),
  type: z.enum(userTypes).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});

export const dismissUserSchema = z
  .strictObject({
    delegateId: userIdSchema.optional(),
    effectiveAt: z.iso.datetime({ offset: true }).optional(),
  })
  .meta({ id: 'DismissUser' });
export type DismissUserInput = z.output<typeof dismissUserSchema>;

export const setContactEmailSchema = z
  .strictObject({ email: emailSchema.nullable() })
  .meta({ id: 'SetContactEmail', description: 'null clears the contact email' });

export const setAdminSchema = z.strictObject({ isAdmin: z.boolean() }).meta({ id: 'SetAdmin' });

export const emailParamSchema = z.strictObject({ email: emailSchema });
export const userParamSchema = z.strictObject({ id: userIdSchema });

export const createWorkgroupSchema = z
  .strictObject({ name: z.string().trim().min(1).max(100), extranet: z.boolean() })
  .meta({ id: 'CreateWorkgroup' });

export const membershipParamSchema = z.strictObject({ id: workgroupIdSchema, userId: userIdSchema });

export const requestLoginEmailChangeSchema = z.strictObject({ email: emailSchema }).meta({ id: 'RequestLoginEmailChange' });
export const confirmLoginEmailChangeSchema = z.strictObject({ token: z.string().min(1).max(512) }).meta({ id: 'ConfirmLoginEmailChange' });

export const transferEmailSchema = z
  .strictObject({
    toUserId: userIdSchema,
    as: z.enum(['login', 'contact']),
    replacementLoginEmail: emailSchema.optional().describe("required when the address is the dismissed holder's login: their new login"),
  })
  .meta({ id: 'TransferEmail' });
export type TransferEmailInput = z.output<typeof transferEmailSchema>;

export const moveToExtranetSchema = z
  .strictObject({
    workgroupIds: z.array(workgroupIdSchema).min(1).max(20),
    loginEmail: emailSchema.optional().describe('login of the new extranet account; omitted: the employee login moves to it'),
  })
  .meta({ id: 'MoveToExtranet' });
export type MoveToExtranetInput = z.output<typeof moveToExtranetSchema>;

export const createWorkSchema = z
  .strictObject({ title: z.string().trim().min(1).max(500), responsibleId: userIdSchema })
  .meta({ id: 'CreateWork' });

export const listWorkQuerySchema = z.strictObject({
  responsibleId: userIdSchema,
  state: z.enum(['open', 'closed']).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});

export const workParamSchema = z.strictObject({ id: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (ULID)') });

export const providerParamSchema = z.strictObject({ provider: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a provider name') });
export const deliveryParamSchema = z.strictObject({
  provider: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a provider name'),
  deliveryId: z.string().min(1).max(128),
});
export const listDeliveriesQuerySchema = z.strictObject({
  status: z.enum(['received', 'applied', 'ignored', 'failed']).default('failed'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});

export const reassignWorkSchema = z.strictObject({ toUserId: userIdSchema }).meta({ id: 'ReassignWork' });

export const cleanupRunSchema = z
  .strictObject({ dryRun: z.boolean(), retentionDays: z.number().int().min(1).max(36_500).optional() })
  .meta({ id: 'CleanupRun' });

export const legalHoldSchema = z.strictObject({ legalHold: z.boolean() }).meta({ id: 'LegalHold' });
