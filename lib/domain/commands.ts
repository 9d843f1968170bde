import * as z from '../zod';
import { emailSchema } from './email';
import { searchFold } from './search';
import { textProblem } from './text';
import { userStatuses, userTypes } from './user';

/**
 * Marks a schema definition free of side effects, so a function's bundle drops the schemas it
 * never uses (zod/mini's `.check()` is a method call, which esbuild must otherwise keep). esbuild
 * honours the annotation only for functions declared in the same module, hence one per module.
 */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

/** Request shapes of the use cases; the HTTP contract and the OpenAPI document use the same schemas. */
/** Free text a person reads (names, titles): trimmed, bounded, and nothing invisible or blank in it. */
/* @__NO_SIDE_EFFECTS__ */
function freeText(max: number) {
  return z.string().check(
    z.trim(),
    z.minLength(1),
    z.maxLength(max),
    z.superRefine((text, ctx) => {
      const problem = textProblem(text);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  );
}
const name = pure(() => freeText(100));
const id = pure(() => z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be an id (ULID)')));
const token = pure(() => z.string().check(z.minLength(1), z.maxLength(512)));
const provider = pure(() => z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'must be a provider name')));
/** `limit=` left empty means the default, like no limit at all; anything but a whole number is refused as such. */
const pageLimit = pure(() =>
  z.pipe(
    z.transform((value: unknown) => {
      if (typeof value !== 'string' || !/^ *[+-]?\d* *$/.test(value)) return value;
      if (value.trim() === '') return undefined;
      // Any run of digits is a whole number, however long: clamped, it gets the range message.
      return Math.min(Math.max(Number(value), 0), 101);
    }),
    z._default(z.int({ error: 'must be a whole number' }).check(z.gte(1, 'must be at least 1'), z.lte(100, 'must be at most 100')), 50),
  ),
);
const cursor = pure(() => z.optional(z.string().check(z.minLength(1), z.maxLength(4096))));

export const workgroupIdSchema = pure(() => id.check(z.meta({ description: 'A workgroup id (ULID)', example: '01JD3ZM4A8TXJ2R9KQ5N7B3C1D' })));

export const userIdSchema = pure(() => id.check(z.meta({ description: 'A user id (ULID)', example: '01JD3ZK1X7Q8M2V5N4R6T9W0YB' })));

export const inviteUserSchema = pure(() =>
  z
    .strictObject({
      type: z.enum(userTypes),
      loginEmail: emailSchema,
      contactEmail: z.nullish(emailSchema),
      firstName: name,
      lastName: name,
      workgroupIds: z.optional(z.array(workgroupIdSchema).check(z.maxLength(20))),
      externalId: z.nullish(freeText(128)),
    })
    .check(z.meta({ id: 'InviteUser' })),
);
export type InviteUserInput = z.output<typeof inviteUserSchema>;

export const acceptInvitationSchema = pure(() => z.strictObject({ token }).check(z.meta({ id: 'AcceptInvitation' })));

/** A search must keep something to compare once folded (a lone accent does not); `q=` left empty lists everyone. */
const searchQuery = pure(() =>
  z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)),
    z.optional(
      freeText(100).check(
        z.refine((q) => searchFold(q) !== '', 'must contain a letter, digit or symbol to search for'),
        z.meta({ description: 'Finds users whose first name, last name, full name or either address starts with this, ignoring case and accents' }),
      ),
    ),
  ),
);

export const listUsersQuerySchema = pure(() =>
  z.strictObject({
    q: searchQuery,
    status: z.optional(z.enum(userStatuses)),
    type: z.optional(z.enum(userTypes)),
    limit: pageLimit,
    cursor,
  }),
);
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;

export const pageQuerySchema = pure(() => z.strictObject({ limit: pageLimit, cursor }));

export const dismissUserSchema = pure(() =>
  z
    .strictObject({
      delegateId: z.optional(userIdSchema),
      effectiveAt: z.optional(z.iso.datetime({ offset: true })),
    })
    .check(z.meta({ id: 'DismissUser' })),
);
export type DismissUserInput = z.output<typeof dismissUserSchema>;

export const setContactEmailSchema = pure(() =>
  z.strictObject({ email: z.nullable(emailSchema) }).check(z.meta({ id: 'SetContactEmail', description: 'null clears the contact email' })),
);

export const setAdminSchema = pure(() => z.strictObject({ isAdmin: z.boolean() }).check(z.meta({ id: 'SetAdmin' })));

export const emailParamSchema = pure(() => z.strictObject({ email: emailSchema }));
export const userParamSchema = pure(() => z.strictObject({ id: userIdSchema }));

export const createWorkgroupSchema = pure(() => z.strictObject({ name, extranet: z.boolean() }).check(z.meta({ id: 'CreateWorkgroup' })));

export const membershipParamSchema = pure(() => z.strictObject({ id: workgroupIdSchema, userId: userIdSchema }));

export const requestLoginEmailChangeSchema = pure(() => z.strictObject({ email: emailSchema }).check(z.meta({ id: 'RequestLoginEmailChange' })));
export const confirmLoginEmailChangeSchema = pure(() => z.strictObject({ token }).check(z.meta({ id: 'ConfirmLoginEmailChange' })));

export const transferEmailSchema = pure(() =>
  z
    .strictObject({
      toUserId: userIdSchema,
      as: z.enum(['login', 'contact']),
      replacementLoginEmail: z.optional(emailSchema).check(z.describe("required when the address is the dismissed holder's login: their new login")),
    })
    .check(z.meta({ id: 'TransferEmail' })),
);
export type TransferEmailInput = z.output<typeof transferEmailSchema>;

export const moveToExtranetSchema = pure(() =>
  z
    .strictObject({
      workgroupIds: z.array(workgroupIdSchema).check(z.minLength(1), z.maxLength(20)),
      loginEmail: z.optional(emailSchema).check(z.describe('login of the new extranet account; omitted: the employee login moves to it')),
    })
    .check(z.meta({ id: 'MoveToExtranet' })),
);
export type MoveToExtranetInput = z.output<typeof moveToExtranetSchema>;

export const createWorkSchema = pure(() => z.strictObject({ title: freeText(500), responsibleId: userIdSchema }).check(z.meta({ id: 'CreateWork' })));

export const listWorkQuerySchema = pure(() =>
  z.strictObject({
    responsibleId: userIdSchema,
    state: z._default(z.enum(['open', 'closed']), 'open'),
    limit: pageLimit,
    cursor,
  }),
);

export const workParamSchema = pure(() => z.strictObject({ id }));

export const providerParamSchema = pure(() => z.strictObject({ provider }));
export const deliveryParamSchema = pure(() =>
  z.strictObject({
    provider,
    deliveryId: z.string().check(z.minLength(1), z.maxLength(128)),
  }),
);
export const listDeliveriesQuerySchema = pure(() =>
  z.strictObject({
    status: z._default(z.enum(['received', 'applied', 'ignored', 'failed']), 'failed'),
    limit: pageLimit,
    cursor,
  }),
);

export const reassignWorkSchema = pure(() => z.strictObject({ toUserId: userIdSchema }).check(z.meta({ id: 'ReassignWork' })));

export const cleanupRunSchema = pure(() =>
  z.strictObject({ dryRun: z.boolean(), retentionDays: z.optional(z.number().check(z.int(), z.gte(1), z.lte(36_500))) }).check(z.meta({ id: 'CleanupRun' })),
);

export const legalHoldSchema = pure(() => z.strictObject({ legalHold: z.boolean() }).check(z.meta({ id: 'LegalHold' })));
