/**
 * Every route the product serves: the CDK stack makes one function per entry, the local server
 * routes by it and the OpenAPI document lists it. Plain data so the stack can import it cheaply.
 *
 * auth: `admin` routes take a bearer JWT (API Gateway's authorizer in AWS, the local key locally)
 * and the use case checks that its subject is an active directory admin. `public` routes carry
 * their own credential (a mailed token) or expose nothing.
 * table: the narrowest DynamoDB access the function needs.
 */
import type { QueueName } from '../jobs/queue';

export type RouteAuth = 'admin' | 'public';
export type TableAccess = 'read' | 'readwrite' | 'none';
export type Route = {
  id: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  handler: string;
  auth: RouteAuth;
  table: TableAccess;
  /** Reads the HR webhook signing secrets (the stack grants GetSecretValue on that secret only). */
  readsWebhookSecrets?: boolean;
  /**
   * Seals secrets before it stores them (lib/secrets/box.ts): the stack sets SECRETS_PUBLIC_JWK,
   * the public half of the secrets key, and nothing else; the function cannot open them.
   */
  sealsSecrets?: true;
  summary: string;
};

/**
 * Functions that are not HTTP routes: queue consumers, schedules and the two stream workers (the
 * outbox relay; the event bus publisher, which puts lifecycle events on EventBridge). Nothing but
 * the relay sends to the queues: everything else queues work by writing an outbox item in the
 * transaction of the change (lib/data/outbox.ts), and the relay routes it by type (queueOf).
 */
export type Worker = {
  id: string;
  handler: string;
  table: TableAccess;
  /** Sends to every work queue (the stack grants sqs:SendMessage on each and sets <NAME>_QUEUE_URL). */
  enqueuesJobs?: boolean;
  /** Sends mail through SES (the stack grants ses:SendEmail on the sender identity only). */
  sendsMail?: boolean;
  readsWebhookSecrets?: boolean;
  /**
   * Opens sealed secrets (subscription signing secrets, connector tokens): the stack sets
   * SECRETS_PUBLIC_JWK and SECRETS_PRIVATE_KEY_ARN, adds the Parameters and Secrets extension and
   * grants GetSecretValue on the secrets key's secret only.
   */
  opensSecrets?: true;
  /**
   * Writes items only it writes at the time (a subscription run's progress and delivery log, under
   * the run's lease; new outbox items) 25 per BatchWriteItem: the stack grants
   * dynamodb:BatchWriteItem on the table to these workers alone.
   */
  batchWrites?: true;
} /** Consumes one work queue (lib/jobs/queue.ts); the stack makes the queue, its dead-letter queue and alarm. */ & (
  | { source: 'queue'; queue: QueueName }
  /** New outbox items from the table's stream (INSERTs with entity = outbox only). */
  | { source: 'outboxStream' }
  /** New lifecycle-event items from the table's stream (INSERTs with entity = event only), put on the stack's event bus. */
  | { source: 'eventStream' }
  /** `schedule` is an EventBridge schedule expression. */
  | { source: 'schedule'; schedule: string }
);

export const workers: readonly Worker[] = [
  { id: 'outboxRelay', handler: 'outbox-relay', table: 'none', source: 'outboxStream', enqueuesJobs: true },
  /** Puts every lifecycle event on the stack's EventBridge bus (archived), for AWS consumers' rules (docs/events.md). */
  { id: 'eventBusPublisher', handler: 'event-bus-publisher', table: 'none', source: 'eventStream' },
  /** Handover jobs and HR deliveries. */
  { id: 'jobsWorker', handler: 'jobs-worker', table: 'readwrite', source: 'queue', queue: 'jobs' },
  /** Issues the token of a pending invitation or login-email change and mails its link. */
  { id: 'mailWorker', handler: 'mail-worker', table: 'readwrite', source: 'queue', queue: 'mail', sendsMail: true },
  /** Carries out scheduled dismissals that are due; dismissals with a delegate queue handovers. */
  { id: 'dueDismissals', handler: 'due-dismissals', table: 'readwrite', source: 'schedule', schedule: 'rate(5 minutes)' },
  /** Lifecycle events to webhook subscribers: fans events out, then delivers one run per subscription, each user's events in order (docs/events.md). */
  { id: 'eventsWorker', handler: 'events-worker', table: 'readwrite', source: 'queue', queue: 'events', opensSecrets: true, batchWrites: true },
  /** Applies users' latest state to SCIM connectors, per connector and user, and runs connector sync jobs (docs/connectors.md). */
  { id: 'connectorsWorker', handler: 'connectors-worker', table: 'readwrite', source: 'queue', queue: 'connectors', opensSecrets: true },
  /** Queues the event deliveries and provisioning whose retry is due (or whose worker died holding them). */
  { id: 'dueEventDeliveries', handler: 'due-event-deliveries', table: 'readwrite', source: 'schedule', schedule: 'rate(1 minute)', batchWrites: true },
  /** Sweeps stale dismissed accounts daily (retention from CLEANUP_RETENTION_DAYS, default 90). */
  { id: 'cleanup', handler: 'scheduled-cleanup', table: 'readwrite', source: 'schedule', schedule: 'rate(1 day)' },
];

export const routes = [
  {
    id: 'inviteUser',
    method: 'POST',
    path: '/users',
    handler: 'invite-user',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Invite a user; mails an invitation to the login address',
  },
  {
    id: 'acceptInvitation',
    method: 'POST',
    path: '/invitations/accept',
    handler: 'accept-invitation',
    auth: 'public',
    table: 'readwrite',
    summary: 'Accept an invitation with the mailed token',
  },
  { id: 'getUser', method: 'GET', path: '/users/{id}', handler: 'get-user', auth: 'admin', table: 'read', summary: 'Read a user' },
  { id: 'listUsers', method: 'GET', path: '/users', handler: 'list-users', auth: 'admin', table: 'read', summary: 'List users by status and type' },
  {
    id: 'lookupEmail',
    method: 'GET',
    path: '/emails/{email}',
    handler: 'lookup-email',
    auth: 'admin',
    table: 'read',
    summary: 'Who holds an address, and as what',
  },
  {
    id: 'dismissUser',
    method: 'POST',
    path: '/users/{id}/dismiss',
    handler: 'dismiss-user',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Dismiss an active user; with a delegate, queue the handover of their open work',
  },
  {
    id: 'rehireUser',
    method: 'POST',
    path: '/users/{id}/rehire',
    handler: 'rehire-user',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Rehire a dismissed user with the same addresses',
  },
  {
    id: 'setContactEmail',
    method: 'PUT',
    path: '/users/{id}/contact-email',
    handler: 'set-contact-email',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Change or clear the contact email',
  },
  {
    id: 'setAdmin',
    method: 'PUT',
    path: '/users/{id}/admin',
    handler: 'set-admin',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Grant or revoke admin rights',
  },
  {
    id: 'listAudit',
    method: 'GET',
    path: '/users/{id}/audit',
    handler: 'list-audit',
    auth: 'admin',
    table: 'read',
    summary: "A user's audit trail, newest first",
  },
  {
    id: 'requestLoginEmailChange',
    method: 'POST',
    path: '/users/{id}/login-email-change',
    handler: 'request-login-email-change',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Request a login email change; mails a confirmation to the new address',
  },
  {
    id: 'confirmLoginEmailChange',
    method: 'POST',
    path: '/login-email-change/confirm',
    handler: 'confirm-login-email-change',
    auth: 'public',
    table: 'readwrite',
    summary: 'Confirm a login email change with the token mailed to the new address',
  },
  {
    id: 'transferEmail',
    method: 'POST',
    path: '/emails/{email}/transfer',
    handler: 'transfer-email',
    auth: 'admin',
    table: 'readwrite',
    summary: "Move a dismissed user's address to another user in one call",
  },
  {
    id: 'moveToExtranet',
    method: 'POST',
    path: '/users/{id}/move-to-extranet',
    handler: 'move-to-extranet',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Dismiss an employee and create their extranet account',
  },
  {
    id: 'createWorkgroup',
    method: 'POST',
    path: '/workgroups',
    handler: 'create-workgroup',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Create an intranet or extranet workgroup',
  },
  { id: 'listWorkgroups', method: 'GET', path: '/workgroups', handler: 'list-workgroups', auth: 'admin', table: 'read', summary: 'List workgroups' },
  {
    id: 'addWorkgroupMember',
    method: 'PUT',
    path: '/workgroups/{id}/members/{userId}',
    handler: 'add-workgroup-member',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Add a user to a workgroup',
  },
  {
    id: 'removeWorkgroupMember',
    method: 'DELETE',
    path: '/workgroups/{id}/members/{userId}',
    handler: 'remove-workgroup-member',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Remove a user from a workgroup',
  },
  { id: 'createTask', method: 'POST', path: '/tasks', handler: 'create-task', auth: 'admin', table: 'readwrite', summary: 'Create an open task' },
  { id: 'listTasks', method: 'GET', path: '/tasks', handler: 'list-tasks', auth: 'admin', table: 'read', summary: "A user's tasks (open by default)" },
  { id: 'closeTask', method: 'POST', path: '/tasks/{id}/close', handler: 'close-task', auth: 'admin', table: 'readwrite', summary: 'Close a task' },
  {
    id: 'createActivity',
    method: 'POST',
    path: '/crm/activities',
    handler: 'create-activity',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Create an open CRM activity',
  },
  {
    id: 'listActivities',
    method: 'GET',
    path: '/crm/activities',
    handler: 'list-activities',
    auth: 'admin',
    table: 'read',
    summary: "A user's CRM activities (open by default)",
  },
  {
    id: 'closeActivity',
    method: 'POST',
    path: '/crm/activities/{id}/close',
    handler: 'close-activity',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Close a CRM activity',
  },
  {
    id: 'workCounts',
    method: 'GET',
    path: '/users/{id}/work',
    handler: 'get-work-counts',
    auth: 'admin',
    table: 'read',
    summary: 'Open task and activity counts of a user',
  },
  {
    id: 'reassignWork',
    method: 'POST',
    path: '/users/{id}/reassign',
    handler: 'reassign-work',
    auth: 'admin',
    table: 'readwrite',
    summary: "Hand a user's open work to another active user",
  },
  { id: 'getJob', method: 'GET', path: '/jobs/{id}', handler: 'get-job', auth: 'admin', table: 'read', summary: 'Progress of a handover job' },
  {
    id: 'hrWebhookStandard',
    method: 'POST',
    path: '/webhooks/hr/standard',
    handler: 'hr-webhook-standard',
    auth: 'public',
    table: 'readwrite',
    readsWebhookSecrets: true,
    summary: 'Receive a signed HR event in the Standard Webhooks format; 202 once durably recorded',
  },
  {
    id: 'hrWebhook',
    method: 'POST',
    path: '/webhooks/hr/{provider}',
    handler: 'hr-webhook',
    auth: 'public',
    table: 'readwrite',
    readsWebhookSecrets: true,
    summary: 'Receive a signed HR event from Gusto or BambooHR (provider gusto or bamboohr); 202 once durably recorded',
  },
  {
    id: 'listDeliveries',
    method: 'GET',
    path: '/webhooks/deliveries',
    handler: 'list-deliveries',
    auth: 'admin',
    table: 'read',
    summary: 'HR delivery events by status (e.g. failed)',
  },
  {
    id: 'redriveDelivery',
    method: 'POST',
    path: '/webhooks/deliveries/{provider}/{deliveryId}/redrive',
    handler: 'redrive-delivery',
    auth: 'admin',
    table: 'readwrite',
    summary: "Apply a delivery's failed events again",
  },
  {
    id: 'runCleanup',
    method: 'POST',
    path: '/cleanup/run',
    handler: 'run-cleanup',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Sweep accounts dismissed longer than the retention, or report them (dryRun)',
  },
  {
    id: 'setLegalHold',
    method: 'PUT',
    path: '/users/{id}/legal-hold',
    handler: 'set-legal-hold',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Place or lift a legal hold (exempt from cleanup)',
  },
  {
    id: 'eraseUser',
    method: 'POST',
    path: '/users/{id}/erase',
    handler: 'erase-user',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Erase one dismissed account now (a data-subject erasure request): addresses released, personal data anonymised',
  },
  {
    id: 'createEventSubscription',
    method: 'POST',
    path: '/event-subscriptions',
    handler: 'create-event-subscription',
    auth: 'admin',
    table: 'readwrite',
    sealsSecrets: true,
    summary: 'Subscribe a webhook URL to lifecycle events; the signing secret is in this answer only',
  },
  {
    id: 'listEventSubscriptions',
    method: 'GET',
    path: '/event-subscriptions',
    handler: 'list-event-subscriptions',
    auth: 'admin',
    table: 'read',
    summary: 'List event subscriptions',
  },
  {
    id: 'getEventSubscription',
    method: 'GET',
    path: '/event-subscriptions/{id}',
    handler: 'get-event-subscription',
    auth: 'admin',
    table: 'read',
    summary: 'Read an event subscription (flagged when failing for 24 hours)',
  },
  {
    id: 'deleteEventSubscription',
    method: 'DELETE',
    path: '/event-subscriptions/{id}',
    handler: 'delete-event-subscription',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Remove an event subscription; its deliveries stop',
  },
  {
    id: 'rotateEventSubscriptionSecret',
    method: 'POST',
    path: '/event-subscriptions/{id}/rotate-secret',
    handler: 'rotate-event-subscription-secret',
    auth: 'admin',
    table: 'readwrite',
    sealsSecrets: true,
    summary: 'A new signing secret; the previous one keeps signing beside it for 24 hours',
  },
  {
    id: 'listEventDeliveries',
    method: 'GET',
    path: '/event-subscriptions/{id}/deliveries',
    handler: 'list-event-deliveries',
    auth: 'admin',
    table: 'read',
    summary: "A subscription's event deliveries, newest event first",
  },
  {
    id: 'retryEventDelivery',
    method: 'POST',
    path: '/event-subscriptions/{id}/deliveries/{eventId}/retry',
    handler: 'retry-event-delivery',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Deliver a parked event again (the events behind it follow in order)',
  },
  {
    id: 'createConnector',
    method: 'POST',
    path: '/connectors',
    handler: 'create-connector',
    auth: 'admin',
    table: 'readwrite',
    sealsSecrets: true,
    summary: 'Connect a SCIM 2.0 system; its bearer token is stored sealed and never returned',
  },
  { id: 'listConnectors', method: 'GET', path: '/connectors', handler: 'list-connectors', auth: 'admin', table: 'read', summary: 'List connectors' },
  {
    id: 'getConnector',
    method: 'GET',
    path: '/connectors/{id}',
    handler: 'get-connector',
    auth: 'admin',
    table: 'read',
    summary: 'Read a connector (flagged when failing for 24 hours)',
  },
  {
    id: 'deleteConnector',
    method: 'DELETE',
    path: '/connectors/{id}',
    handler: 'delete-connector',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Remove a connector; nothing more is sent to that system (its accounts stay as they are)',
  },
  {
    id: 'syncConnector',
    method: 'POST',
    path: '/connectors/{id}/sync',
    handler: 'sync-connector',
    auth: 'admin',
    table: 'readwrite',
    summary: 'Reconcile every user with that system (a resumable job): repairs accounts changed or deleted by hand',
  },
  {
    id: 'getConnectorSyncJob',
    method: 'GET',
    path: '/connectors/{id}/sync/{jobId}',
    handler: 'get-connector-sync-job',
    auth: 'admin',
    table: 'read',
    summary: "A sync job's progress: users checked, repaired, failed (with reasons)",
  },
  {
    id: 'getUserAccess',
    method: 'GET',
    path: '/users/{id}/access',
    handler: 'get-user-access',
    auth: 'admin',
    table: 'read',
    summary: "Where the user's account stands in each connected system",
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    handler: 'get-openapi',
    auth: 'public',
    table: 'none',
    summary: 'This API as an OpenAPI 3.1 document',
  },
] as const satisfies readonly Route[];

export type RouteId = (typeof routes)[number]['id'];

export type ServedMethod = Route['method'] | 'HEAD';

/** The methods a route answers: HEAD wherever GET is, by the same function (without the body). */
export function servedMethods(route: Pick<Route, 'method'>): ServedMethod[] {
  return route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];
}
