/**
 * Domain errors: the only failures the HTTP layer turns into 4xx problems. Anything else is an
 * internal error and reaches the caller as a bare 500.
 */
export type FieldError = { path: string; message: string };
export type EmailRole = 'login' | 'contact';
export type HolderRef = { id: string; status: string; type: string };

export abstract class DomainError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  abstract readonly title: string;
  /** Extra members of the problem document; never secrets. */
  extensions(): Record<string, unknown> {
    return {};
  }
}

export class InvalidRequest extends DomainError {
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly title = 'The request is invalid';
  constructor(
    readonly errors: FieldError[],
    message = errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '),
  ) {
    super(message);
  }
  override extensions() {
    return { errors: this.errors };
  }
  /**
   * The same errors with their fields placed under `prefix`: decisions name a command's fields
   * (`effectiveAt`), the HTTP layer says where they were (`body.effectiveAt`), HR the event's `data`.
   */
  within(prefix: string): InvalidRequest {
    return new InvalidRequest(this.errors.map((e) => ({ ...e, path: e.path ? `${prefix}.${e.path}` : prefix })));
  }
}

export class Unauthorized extends DomainError {
  readonly code = 'unauthorized';
  readonly status = 401;
  readonly title = 'Authentication required';
  constructor(message = 'A valid bearer token is required') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly code = 'forbidden';
  readonly status = 403;
  readonly title = 'Not allowed';
  constructor(message = 'This operation requires a directory admin') {
    super(message);
  }
}

export class NotFound extends DomainError {
  readonly code = 'not_found';
  readonly status = 404;
  readonly title = 'Not found';
  constructor(
    readonly resource: string,
    readonly id: string,
  ) {
    super(`${resource} ${id} does not exist`);
  }
}

export class MethodNotAllowed extends DomainError {
  readonly code = 'method_not_allowed';
  readonly status = 405;
  readonly title = 'Method not allowed';
  constructor(
    method: string,
    path: string,
    /** The methods the path does answer (the 405's Allow header). */
    readonly allowed: string[] = [],
  ) {
    super(`${method} is not allowed on ${path}`);
  }
}

export class EmailInUse extends DomainError {
  readonly code = 'email_in_use';
  readonly status = 409;
  readonly title = 'Email address already in use';
  constructor(
    readonly email: string,
    readonly usedAs: EmailRole[],
    readonly holder: HolderRef,
  ) {
    super(`${email} is used as ${usedAs.join(' and ')} email by ${holder.status} user ${holder.id}`);
  }
  override extensions() {
    return { email: this.email, usedAs: this.usedAs, user: this.holder, hint: freeingHint(this) };
  }
}

function freeingHint({ email, usedAs, holder }: EmailInUse): string {
  const steps: string[] = [];
  if (holder.status === 'dismissed') {
    steps.push(
      `Transfer it in one call: POST /emails/${encodeURIComponent(email)}/transfer` +
        (usedAs.includes('login') ? ' with a replacementLoginEmail for the dismissed user.' : '.'),
    );
  }
  if (usedAs.includes('contact')) {
    steps.push(`Change or clear the holder's contact email: PUT /users/${holder.id}/contact-email.`);
  }
  if (usedAs.includes('login')) {
    steps.push(`Change the holder's login email: POST /users/${holder.id}/login-email-change (confirmed from the new mailbox).`);
  }
  return steps.join(' ');
}

export class ExternalIdInUse extends DomainError {
  readonly code = 'external_id_in_use';
  readonly status = 409;
  readonly title = 'External id already in use';
  constructor(
    readonly externalId: string,
    readonly userId: string,
  ) {
    super(`externalId ${externalId} already belongs to user ${userId}`);
  }
  override extensions() {
    return { externalId: this.externalId, user: { id: this.userId } };
  }
}

export class WorkgroupNameInUse extends DomainError {
  readonly code = 'workgroup_name_in_use';
  readonly status = 409;
  readonly title = 'Workgroup name already in use';
  constructor(
    readonly workgroupName: string,
    readonly workgroupId: string,
  ) {
    super(`A workgroup named ${workgroupName} already exists (${workgroupId})`);
  }
  override extensions() {
    return { name: this.workgroupName, workgroup: { id: this.workgroupId } };
  }
}

export class InvalidState extends DomainError {
  readonly code = 'invalid_state';
  readonly status = 409;
  readonly title = 'Not allowed in the current state';
}

/** The change would leave the directory without an active admin (rule 10). */
export class LastAdmin extends DomainError {
  readonly code = 'last_admin';
  readonly status = 409;
  readonly title = 'The last active admin';
  constructor(readonly userIds: string[]) {
    super(`This would leave the directory without an active admin (${userIds.join(', ')}); grant admin rights to another active user first`);
  }
  override extensions() {
    return { users: this.userIds.map((id) => ({ id })) };
  }
}

export class TokenInvalid extends DomainError {
  readonly code = 'token_invalid';
  readonly status = 410;
  readonly title = 'Token invalid, expired or already used';
  constructor() {
    super('The token is invalid, has expired or has already been used');
  }
}

export class PayloadTooLarge extends DomainError {
  readonly code = 'payload_too_large';
  readonly status = 413;
  readonly title = 'Payload too large';
  constructor(readonly limitBytes: number) {
    super(`The request body exceeds ${limitBytes} bytes`);
  }
}

/** Contention that outlived our retries (DynamoDB transaction conflicts); safe to retry. */
export class Busy extends DomainError {
  readonly code = 'busy';
  readonly status = 503;
  readonly title = 'Busy, retry';
  constructor() {
    super('The resource is being changed concurrently; retry the request');
  }
}
