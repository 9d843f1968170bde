import type { HttpHandler } from '../http/handler';
import type { routes } from '../http/routes';
import { handler as addWorkgroupMember } from '../../functions/add-workgroup-member';
import { handler as confirmLoginEmailChange } from '../../functions/confirm-login-email-change';
import { handler as createWorkgroup } from '../../functions/create-workgroup';
import { handler as listWorkgroups } from '../../functions/list-workgroups';
import { handler as moveToExtranet } from '../../functions/move-to-extranet';
import { handler as removeWorkgroupMember } from '../../functions/remove-workgroup-member';
import { handler as requestLoginEmailChange } from '../../functions/request-login-email-change';
import { handler as transferEmail } from '../../functions/transfer-email';
import { handler as closeActivity } from '../../functions/close-activity';
import { handler as closeTask } from '../../functions/close-task';
import { handler as createActivity } from '../../functions/create-activity';
import { handler as createTask } from '../../functions/create-task';
import { handler as getJob } from '../../functions/get-job';
import { handler as getWorkCounts } from '../../functions/get-work-counts';
import { handler as listActivities } from '../../functions/list-activities';
import { handler as listTasks } from '../../functions/list-tasks';
import { handler as reassignWork } from '../../functions/reassign-work';
import { handler as hrWebhook } from '../../functions/hr-webhook';
import { handler as hrWebhookStandard } from '../../functions/hr-webhook-standard';
import { handler as listDeliveries } from '../../functions/list-deliveries';
import { handler as redriveDelivery } from '../../functions/redrive-delivery';
import { handler as runCleanup } from '../../functions/run-cleanup';
import { handler as setLegalHold } from '../../functions/set-legal-hold';
import { handler as eraseUser } from '../../functions/erase-user';
import { handler as acceptInvitation } from '../../functions/accept-invitation';
import { handler as dismissUser } from '../../functions/dismiss-user';
import { handler as getOpenapi } from '../../functions/get-openapi';
import { handler as getUser } from '../../functions/get-user';
import { handler as inviteUser } from '../../functions/invite-user';
import { handler as listAudit } from '../../functions/list-audit';
import { handler as listUsers } from '../../functions/list-users';
import { handler as lookupEmail } from '../../functions/lookup-email';
import { handler as rehireUser } from '../../functions/rehire-user';
import { handler as setAdmin } from '../../functions/set-admin';
import { handler as setContactEmail } from '../../functions/set-contact-email';
import { handler as createConnector } from '../../functions/create-connector';
import { handler as listConnectors } from '../../functions/list-connectors';
import { handler as getConnector } from '../../functions/get-connector';
import { handler as deleteConnector } from '../../functions/delete-connector';
import { handler as syncConnector } from '../../functions/sync-connector';
import { handler as getConnectorSyncJob } from '../../functions/get-connector-sync-job';
import { handler as getUserAccess } from '../../functions/get-user-access';
import { handler as createEventSubscription } from '../../functions/create-event-subscription';
import { handler as listEventSubscriptions } from '../../functions/list-event-subscriptions';
import { handler as getEventSubscription } from '../../functions/get-event-subscription';
import { handler as deleteEventSubscription } from '../../functions/delete-event-subscription';
import { handler as rotateEventSubscriptionSecret } from '../../functions/rotate-event-subscription-secret';
import { handler as listEventDeliveries } from '../../functions/list-event-deliveries';
import { handler as retryEventDelivery } from '../../functions/retry-event-delivery';

/** The Lambda handlers by file name; the type makes a route without its handler a compile error. */
export const handlers: Record<(typeof routes)[number]['handler'], HttpHandler> = {
  'accept-invitation': acceptInvitation,
  'run-cleanup': runCleanup,
  'set-legal-hold': setLegalHold,
  'erase-user': eraseUser,
  'hr-webhook': hrWebhook,
  'hr-webhook-standard': hrWebhookStandard,
  'list-deliveries': listDeliveries,
  'redrive-delivery': redriveDelivery,
  'close-activity': closeActivity,
  'close-task': closeTask,
  'create-activity': createActivity,
  'create-task': createTask,
  'get-job': getJob,
  'get-work-counts': getWorkCounts,
  'list-activities': listActivities,
  'list-tasks': listTasks,
  'reassign-work': reassignWork,
  'add-workgroup-member': addWorkgroupMember,
  'confirm-login-email-change': confirmLoginEmailChange,
  'create-workgroup': createWorkgroup,
  'list-workgroups': listWorkgroups,
  'move-to-extranet': moveToExtranet,
  'remove-workgroup-member': removeWorkgroupMember,
  'request-login-email-change': requestLoginEmailChange,
  'transfer-email': transferEmail,
  'dismiss-user': dismissUser,
  'get-openapi': getOpenapi,
  'get-user': getUser,
  'invite-user': inviteUser,
  'list-audit': listAudit,
  'list-users': listUsers,
  'lookup-email': lookupEmail,
  'rehire-user': rehireUser,
  'set-admin': setAdmin,
  'set-contact-email': setContactEmail,
  'create-event-subscription': createEventSubscription,
  'list-event-subscriptions': listEventSubscriptions,
  'get-event-subscription': getEventSubscription,
  'delete-event-subscription': deleteEventSubscription,
  'rotate-event-subscription-secret': rotateEventSubscriptionSecret,
  'list-event-deliveries': listEventDeliveries,
  'retry-event-delivery': retryEventDelivery,
  'create-connector': createConnector,
  'list-connectors': listConnectors,
  'get-connector': getConnector,
  'delete-connector': deleteConnector,
  'sync-connector': syncConnector,
  'get-connector-sync-job': getConnectorSyncJob,
  'get-user-access': getUserAccess,
};
