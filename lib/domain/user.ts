import * as z from '../zod';

/**
 * Marks a schema definition free of side effects, so a function's bundle drops the schemas it
 * never uses (zod/mini's `.check()` is a method call, which esbuild must otherwise keep). esbuild
 * honours the annotation only for functions declared in the same module, hence one per module.
 */
/* @__NO_SIDE_EFFECTS__ */
function pure<T>(build: () => T): T {
  return build();
}

export const userTypes = ['employee', 'extranet'] as const;
export const userStatuses = ['invited', 'active', 'dismissed'] as const;
export type UserType = (typeof userTypes)[number];
export type UserStatus = (typeof userStatuses)[number];

/** A user as stored (the domain entity); `version` guards every update against lost writes. */
export type User = {
  id: string;
  type: UserType;
  status: UserStatus;
  loginEmail: string;
  contactEmail: string | null;
  firstName: string;
  lastName: string;
  isAdmin: boolean;
  workgroupIds: string[];
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
  dismissedAt: string | null;
  /** When the dismissal was committed: a back-dated `dismissedAt` does not shorten the retention. */
  dismissalRecordedAt: string | null;
  /** Set on an employee profile moved to extranet: the extranet account that succeeded it. */
  movedToUserId: string | null;
  /** Set on an extranet account created by a move: the employee profile it came from. */
  movedFromUserId: string | null;
  /** The job handing this user's open work to their delegate (set by a dismissal with a delegate). */
  handoverJobId: string | null;
  /** A future-dated dismissal waiting for its time; cancelled by a rehire. */
  scheduledDismissal: ScheduledDismissal | null;
  /** Time of the newest HR event applied to this user: older events arriving late are ignored. */
  lastHrEventAt: string | null;
  /** The delivery that event came in: an equal time from another delivery is a replay, not news. */
  lastHrDeliveryId: string | null;
  /** Exempts a dismissed account from cleanup while a legal matter needs its data. */
  legalHold: boolean;
  /** When cleanup anonymised this account and released its addresses. */
  sweptAt: string | null;
  version: number;
};

export type ScheduledDismissal = { effectiveAt: string; delegateId: string | null; requestedBy: string | null; source: string };

/** The user as the HTTP contract shows it to admins (docs/contract.md, "HTTP contract": "A user reads as"). */
export const userViewSchema = pure(() =>
  z
    .object({
      id: z.string(),
      type: z.enum(userTypes),
      status: z.enum(userStatuses),
      loginEmail: z.string(),
      contactEmail: z.nullable(z.string()),
      firstName: z.string(),
      lastName: z.string(),
      isAdmin: z.boolean(),
      workgroupIds: z.array(z.string()),
      externalId: z.nullable(z.string()),
      createdAt: z.string(),
      updatedAt: z.string(),
      dismissedAt: z.nullable(z.string()),
      movedToUserId: z.nullable(z.string()).check(z.describe('extranet account that succeeded this employee profile')),
      movedFromUserId: z.nullable(z.string()).check(z.describe('employee profile this extranet account was moved from')),
      handoverJobId: z.nullable(z.string()).check(z.describe('job handing open work to the delegate named at dismissal (GET /jobs/{id})')),
      scheduledDismissalAt: z.nullable(z.string()).check(z.describe('when a future-dated dismissal takes effect; cancelled by a rehire')),
      legalHold: z.boolean().check(z.describe('exempt from cleanup')),
      sweptAt: z.nullable(z.string()).check(z.describe('when cleanup anonymised this account and released its addresses')),
    })
    .check(z.meta({ id: 'User' })),
);
export type UserView = z.infer<typeof userViewSchema>;

export function toUserView(user: User): UserView {
  return {
    id: user.id,
    type: user.type,
    status: user.status,
    loginEmail: user.loginEmail,
    contactEmail: user.contactEmail,
    firstName: user.firstName,
    lastName: user.lastName,
    isAdmin: user.isAdmin,
    workgroupIds: user.workgroupIds,
    externalId: user.externalId,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    dismissedAt: user.dismissedAt,
    movedToUserId: user.movedToUserId,
    movedFromUserId: user.movedFromUserId,
    handoverJobId: user.handoverJobId,
    scheduledDismissalAt: user.scheduledDismissal?.effectiveAt ?? null,
    legalHold: user.legalHold,
    sweptAt: user.sweptAt,
  };
}

/** Which roles a user holds an address in; drives the claim item for that address. */
export function rolesOf(user: Pick<User, 'loginEmail' | 'contactEmail'>, address: string): ('login' | 'contact')[] {
  const roles: ('login' | 'contact')[] = [];
  if (user.loginEmail === address) roles.push('login');
  if (user.contactEmail === address) roles.push('contact');
  return roles;
}

/** A new user's fields that start empty; callers spread their own on top. */
export const blankUserFields = {
  contactEmail: null,
  isAdmin: false,
  workgroupIds: [] as string[],
  externalId: null,
  dismissedAt: null,
  dismissalRecordedAt: null,
  movedToUserId: null,
  movedFromUserId: null,
  handoverJobId: null,
  scheduledDismissal: null,
  lastHrEventAt: null,
  lastHrDeliveryId: null,
  legalHold: false,
  sweptAt: null,
  version: 0,
} satisfies Partial<User>;

/**
 * A non-routable login for a profile whose login moved to another account (RFC 2606 reserves
 * `.invalid`): unique per user, never delivers mail, never collides with a real address.
 */
export function tombstoneLogin(userId: string): string {
  return `${userId.toLowerCase()}@moved.invalid`;
}

/** The login a swept account keeps: non-routable (RFC 2606), unique, never a real mailbox. */
export function sweptLogin(userId: string): string {
  return `${userId.toLowerCase()}@swept.invalid`;
}

/** Every distinct address a user holds. */
export function addressesOf(user: Pick<User, 'loginEmail' | 'contactEmail'>): string[] {
  return [...new Set([user.loginEmail, user.contactEmail].filter((a): a is string => a !== null))];
}
