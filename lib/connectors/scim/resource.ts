import type { User } from '../../domain/user';

/**
 * The SCIM 2.0 User resource as the directory writes it (RFC 7643 section 4.1), and the changes it
 * sends (RFC 7644 section 3.5). Pure: no I/O, so every mapping is a table-driven unit test.
 *
 * The directory owns these attributes of the remote account and nothing else: `userName`,
 * `externalId`, `active`, `name.givenName`, `name.familyName`, `displayName` and `emails`. Whatever
 * else the connected system keeps (phone numbers, groups, its own extensions) is left as it is:
 * a PATCH names only the owned attributes, a PUT sends the account back as read with only those
 * replaced.
 */
export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The directory user fields a connected system receives. */
export type DirectoryUser = Pick<User, 'id' | 'status' | 'loginEmail' | 'contactEmail' | 'firstName' | 'lastName'>;

export type ScimEmail = { value: string; type?: string | null; primary?: boolean | null };

/** The owned attributes, as the directory wants them or as read from the remote account. */
export type ScimUserFields = {
  userName: string;
  externalId: string | null;
  active: boolean | null;
  givenName: string | null;
  familyName: string | null;
  displayName: string | null;
  emails: ScimEmail[];
};

/** A User resource as a provider answers it: `id` always, the rest as the provider keeps it. */
export type ScimUserResource = {
  id: string;
  schemas?: string[];
  userName?: string | null;
  externalId?: string | null;
  active?: boolean | null;
  displayName?: string | null;
  name?: { givenName?: string | null; familyName?: string | null; [key: string]: unknown } | null;
  emails?: ScimEmail[] | null;
  [key: string]: unknown;
};

export type PatchOperation = { op: 'replace'; path: string; value: unknown };
export type PatchRequest = { schemas: [typeof PATCH_OP_SCHEMA]; Operations: PatchOperation[] };

/**
 * The account a directory user should have: `userName` and the primary `work` address are the
 * login, the contact address (when there is one and it differs) is an `other` address, and the
 * directory id is the `externalId`. Only an active user is `active`: an invited user who has not
 * accepted yet, and a dismissed one, hold an inactive account.
 */
export function desiredFields(user: DirectoryUser): ScimUserFields {
  const emails: ScimEmail[] = [{ value: user.loginEmail, type: 'work', primary: true }];
  if (user.contactEmail && user.contactEmail !== user.loginEmail) emails.push({ value: user.contactEmail, type: 'other', primary: false });
  return {
    userName: user.loginEmail,
    externalId: user.id,
    active: user.status === 'active',
    givenName: user.firstName,
    familyName: user.lastName,
    displayName: `${user.firstName} ${user.lastName}`.trim(),
    emails,
  };
}

/** The body of `POST /Users` for these fields. */
export function newUserResource(fields: ScimUserFields): Omit<ScimUserResource, 'id'> {
  return {
    schemas: [USER_SCHEMA],
    userName: fields.userName,
    ...(fields.externalId === null ? {} : { externalId: fields.externalId }),
    name: { givenName: fields.givenName, familyName: fields.familyName },
    displayName: fields.displayName,
    emails: fields.emails,
    active: fields.active ?? true,
  };
}

/** The owned attributes of a remote account as read. */
export function remoteFields(resource: ScimUserResource): ScimUserFields {
  return {
    userName: resource.userName ?? '',
    externalId: resource.externalId ?? null,
    active: resource.active ?? null,
    givenName: resource.name?.givenName ?? null,
    familyName: resource.name?.familyName ?? null,
    displayName: resource.displayName ?? null,
    emails: resource.emails ?? [],
  };
}

/**
 * The replace operations (RFC 7644 section 3.5.2.3) that take an account from `before` to
 * `after`: one per owned attribute that differs, none when nothing does. `userName` and email
 * values compare case-insensitively (the core schema makes them `caseExact: false`); `emails` is
 * replaced as a whole, the one form every provider supports (a value filter such as
 * `emails[type eq "work"].value` fails with `noTarget` where the address is missing).
 */
export function patchOperations(before: ScimUserFields, after: ScimUserFields): PatchOperation[] {
  const ops: PatchOperation[] = [];
  const replace = (path: string, value: unknown) => ops.push({ op: 'replace', path, value });
  if (before.userName.toLowerCase() !== after.userName.toLowerCase()) replace('userName', after.userName);
  if (after.externalId !== null && before.externalId !== after.externalId) replace('externalId', after.externalId);
  if (after.active !== null && before.active !== after.active) replace('active', after.active);
  if (after.givenName !== null && before.givenName !== after.givenName) replace('name.givenName', after.givenName);
  if (after.familyName !== null && before.familyName !== after.familyName) replace('name.familyName', after.familyName);
  if (after.displayName !== null && before.displayName !== after.displayName) replace('displayName', after.displayName);
  if (!sameEmails(before.emails, after.emails)) replace('emails', after.emails);
  return ops;
}

export function patchRequest(operations: PatchOperation[]): PatchRequest {
  return { schemas: [PATCH_OP_SCHEMA], Operations: operations };
}

/**
 * The body of `PUT /Users/{id}` (RFC 7644 section 3.5.1 replaces the whole resource): the account as
 * read, with the owned attributes set and `meta` left out (read-only, the provider's own), so a
 * provider that clears what a PUT omits keeps the attributes the directory does not own.
 */
export function replacementResource(current: ScimUserResource, fields: ScimUserFields): ScimUserResource {
  const { meta: _meta, groups: _groups, ...kept } = current;
  const schemas = current.schemas?.includes(USER_SCHEMA) ? current.schemas : [USER_SCHEMA, ...(current.schemas ?? [])];
  return {
    ...kept,
    schemas,
    userName: fields.userName,
    ...(fields.externalId === null ? {} : { externalId: fields.externalId }),
    name: { ...(current.name ?? {}), givenName: fields.givenName, familyName: fields.familyName },
    displayName: fields.displayName,
    emails: fields.emails,
    ...(fields.active === null ? {} : { active: fields.active }),
  };
}

/**
 * The filter that finds the account holding a login (RFC 7644 section 3.4.2.2): the value is a JSON
 * string, so quotes, backslashes and control characters are escaped as JSON escapes them.
 */
export function userNameFilter(userName: string): string {
  return `userName eq ${JSON.stringify(userName)}`;
}

function sameEmails(a: ScimEmail[], b: ScimEmail[]): boolean {
  const key = (e: ScimEmail) => `${e.value.toLowerCase()}\u0000${e.type ?? ''}\u0000${e.primary === true}`;
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}
