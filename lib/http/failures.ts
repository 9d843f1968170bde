import * as z from '../zod';
import {
  Busy,
  type DomainError,
  EmailInUse,
  ExternalIdInUse,
  Forbidden,
  InvalidRequest,
  InvalidState,
  LastAdmin,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  TokenInvalid,
  Unauthorized,
  WorkgroupNameInUse,
} from '../domain/errors';
import { MAX_BODY_BYTES } from './pipeline';
import type { RequestContract } from './requests';
import type { Route, RouteId } from './routes';

/*
 * How each route can fail, for the OpenAPI document (issue 14). The status and code of a failure
 * are the domain error's own (lib/domain/errors.ts; ./problem sends them): this module only says
 * which errors each route's use case can raise, and what each problem document carries.
 */

export type DomainErrorClass = abstract new (...args: never[]) => DomainError;

const someId = '01JD3ZK1X7Q8M2V5N4R6T9W0YB';

/**
 * One instance of every domain error the HTTP layer can answer: the document reads status and
 * code from it, and shows its problem document as the example (a unit test checks that every
 * DomainError class exported by lib/domain/errors.ts is here).
 */
export const problemExamples: readonly DomainError[] = [
  new InvalidRequest([{ path: 'body.loginEmail', message: 'Invalid email address' }]),
  new Unauthorized(),
  new Forbidden(),
  new NotFound('user', someId),
  new MethodNotAllowed('DELETE', '/users'),
  new EmailInUse('jane@corp.example', ['contact'], { id: someId, status: 'dismissed', type: 'employee' }),
  new ExternalIdInUse('HR-1042', someId),
  new WorkgroupNameInUse('Sales', someId),
  new InvalidState(`User ${someId} is dismissed; only active users can be dismissed`),
  new LastAdmin([someId]),
  new TokenInvalid(),
  new PayloadTooLarge(MAX_BODY_BYTES),
  new Busy(),
];

/** The members a problem of each code adds to RFC 9457's (its error's `extensions()`). */
export const problemExtensions: Readonly<Record<string, z.core.$ZodShape>> = {
  invalid_request: {
    errors: z
      .array(
        z.object({
          path: z.string().check(z.describe('Where: `path.<name>`, `query.<name>`, `body.<field>` or `headers.<name>`')),
          message: z.string(),
        }),
      )
      .check(z.describe('One entry per refused field')),
  },
  email_in_use: {
    email: z.string().check(z.describe('The address, normalised')),
    usedAs: z.array(z.enum(['login', 'contact'])),
    user: z.object({ id: z.string(), status: z.string(), type: z.string() }).check(z.describe('Who holds it')),
    hint: z.string().check(z.describe('How to free it')),
  },
  external_id_in_use: { externalId: z.string(), user: z.object({ id: z.string() }).check(z.describe('Who has it')) },
  workgroup_name_in_use: { name: z.string(), workgroup: z.object({ id: z.string() }).check(z.describe('The workgroup of that name')) },
  last_admin: { users: z.array(z.object({ id: z.string() })).check(z.describe('Who would lose the admin rights')) },
};

/** The code of the bare 500 (./problem's internalErrorResponse): it is no domain error. */
export const INTERNAL = { code: 'internal', status: 500 } as const;

/**
 * What each route's use case can raise, beyond what every route of its kind can (see
 * {@link failuresOf}). A route without an entry does not compile; a status the server answers
 * that is not listed fails test/http/openapi-conformance.test.ts.
 */
export const routeErrors = {
  inviteUser: [EmailInUse, ExternalIdInUse, Busy],
  acceptInvitation: [TokenInvalid, Busy],
  getUser: [NotFound],
  listUsers: [],
  lookupEmail: [],
  dismissUser: [NotFound, InvalidState, LastAdmin, Busy],
  rehireUser: [NotFound, InvalidState, Busy],
  setContactEmail: [NotFound, InvalidState, EmailInUse, Busy],
  setAdmin: [NotFound, InvalidState, LastAdmin, Busy],
  listAudit: [NotFound],
  requestLoginEmailChange: [NotFound, InvalidState, EmailInUse, Busy],
  confirmLoginEmailChange: [TokenInvalid, EmailInUse, Busy],
  transferEmail: [NotFound, InvalidState, EmailInUse, LastAdmin, Busy],
  moveToExtranet: [NotFound, InvalidState, EmailInUse, ExternalIdInUse, LastAdmin, Busy],
  createWorkgroup: [WorkgroupNameInUse, Busy],
  listWorkgroups: [],
  addWorkgroupMember: [NotFound, InvalidState, Busy],
  removeWorkgroupMember: [NotFound, InvalidState, Busy],
  createTask: [InvalidState, Busy],
  listTasks: [],
  closeTask: [NotFound, InvalidState, Busy],
  createActivity: [InvalidState, Busy],
  listActivities: [],
  closeActivity: [NotFound, InvalidState, Busy],
  workCounts: [NotFound],
  reassignWork: [NotFound, InvalidState, Busy],
  getJob: [NotFound],
  // A provider without a configured secret is unknown (404); a bad signature or stale timestamp 401.
  hrWebhookStandard: [InvalidRequest, Unauthorized, NotFound, Busy],
  hrWebhook: [InvalidRequest, Unauthorized, NotFound, Busy],
  listDeliveries: [],
  redriveDelivery: [NotFound, InvalidState, Busy],
  runCleanup: [],
  setLegalHold: [NotFound, InvalidState, Busy],
  eraseUser: [NotFound, InvalidState, Busy],
  createEventSubscription: [Busy],
  listEventSubscriptions: [],
  getEventSubscription: [NotFound],
  deleteEventSubscription: [NotFound, Busy],
  rotateEventSubscriptionSecret: [NotFound, Busy],
  listEventDeliveries: [NotFound],
  retryEventDelivery: [NotFound, InvalidState, Busy],
  createConnector: [Busy],
  listConnectors: [],
  getConnector: [NotFound],
  deleteConnector: [NotFound, Busy],
  syncConnector: [NotFound, Busy],
  getConnectorSyncJob: [NotFound],
  getUserAccess: [NotFound],
  openapi: [],
} as const satisfies Record<RouteId, readonly DomainErrorClass[]>;

/**
 * Every domain error a route can answer: what the pipeline raises for every route (a body over
 * {@link MAX_BODY_BYTES}; a request that does not match its contract; on admin routes a missing
 * or invalid bearer, a subject that is no active admin), then what its use case raises.
 */
export function failuresOf(route: Pick<Route, 'id' | 'auth'>, contract: RequestContract): DomainError[] {
  const own: readonly DomainErrorClass[] = (routeErrors as Record<string, readonly DomainErrorClass[]>)[route.id] ?? [];
  const classes = new Set<DomainErrorClass>([
    ...(contract.params || contract.query || contract.body ? [InvalidRequest] : []),
    ...(route.auth === 'admin' ? [Unauthorized, Forbidden] : []),
    ...own,
    PayloadTooLarge,
  ]);
  return [...classes].map(exampleOf);
}

export function exampleOf(errorClass: DomainErrorClass): DomainError {
  const example = problemExamples.find((error) => error.constructor === errorClass);
  if (!example) throw new Error(`no example of ${errorClass.name} in lib/http/failures.ts`);
  return example;
}
