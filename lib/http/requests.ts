import type { ZodMiniType } from '../zod';
import {
  acceptInvitationSchema,
  cleanupRunSchema,
  confirmLoginEmailChangeSchema,
  createWorkSchema,
  createWorkgroupSchema,
  deliveryParamSchema,
  dismissUserSchema,
  emailParamSchema,
  inviteUserSchema,
  legalHoldSchema,
  listDeliveriesQuerySchema,
  listUsersQuerySchema,
  listWorkQuerySchema,
  membershipParamSchema,
  moveToExtranetSchema,
  pageQuerySchema,
  providerParamSchema,
  reassignWorkSchema,
  requestLoginEmailChangeSchema,
  setAdminSchema,
  setContactEmailSchema,
  transferEmailSchema,
  userParamSchema,
  workParamSchema,
} from '../domain/commands';
import { createSubscriptionSchema, deliveryRetryParamSchema, subscriptionParamSchema } from '../domain/subscriptions';
import { connectorParamSchema, createConnectorSchema, syncJobParamSchema } from '../domain/connectors';
import type { RouteAuth } from './routes';

/**
 * What each route accepts: its path, query and body schemas, who may call it and the status of
 * success. One export per route, so a function's bundle holds its own schemas and no others
 * (handlers import this module as a namespace, which esbuild tree-shakes per export). The
 * response schemas, needed only for the OpenAPI document, live in ./responses.
 */
export type RequestContract = {
  id: string;
  auth: RouteAuth;
  params?: ZodMiniType;
  query?: ZodMiniType;
  body?: ZodMiniType;
  status: number;
};

export const inviteUser = { id: 'inviteUser', auth: 'admin', body: inviteUserSchema, status: 201 } as const;
export const acceptInvitation = { id: 'acceptInvitation', auth: 'public', body: acceptInvitationSchema, status: 200 } as const;
export const getUser = { id: 'getUser', auth: 'admin', params: userParamSchema, status: 200 } as const;
export const listUsers = { id: 'listUsers', auth: 'admin', query: listUsersQuerySchema, status: 200 } as const;
export const lookupEmail = { id: 'lookupEmail', auth: 'admin', params: emailParamSchema, status: 200 } as const;
export const dismissUser = { id: 'dismissUser', auth: 'admin', params: userParamSchema, body: dismissUserSchema, status: 200 } as const;
export const rehireUser = { id: 'rehireUser', auth: 'admin', params: userParamSchema, status: 200 } as const;
export const setContactEmail = { id: 'setContactEmail', auth: 'admin', params: userParamSchema, body: setContactEmailSchema, status: 200 } as const;
export const setAdmin = { id: 'setAdmin', auth: 'admin', params: userParamSchema, body: setAdminSchema, status: 200 } as const;
export const listAudit = { id: 'listAudit', auth: 'admin', params: userParamSchema, query: pageQuerySchema, status: 200 } as const;
export const requestLoginEmailChange = {
  id: 'requestLoginEmailChange',
  auth: 'admin',
  params: userParamSchema,
  body: requestLoginEmailChangeSchema,
  status: 202,
} as const;
export const confirmLoginEmailChange = { id: 'confirmLoginEmailChange', auth: 'public', body: confirmLoginEmailChangeSchema, status: 200 } as const;
export const transferEmail = { id: 'transferEmail', auth: 'admin', params: emailParamSchema, body: transferEmailSchema, status: 200 } as const;
export const moveToExtranet = { id: 'moveToExtranet', auth: 'admin', params: userParamSchema, body: moveToExtranetSchema, status: 201 } as const;
export const createWorkgroup = { id: 'createWorkgroup', auth: 'admin', body: createWorkgroupSchema, status: 201 } as const;
export const listWorkgroups = { id: 'listWorkgroups', auth: 'admin', query: pageQuerySchema, status: 200 } as const;
export const addWorkgroupMember = { id: 'addWorkgroupMember', auth: 'admin', params: membershipParamSchema, status: 200 } as const;
export const removeWorkgroupMember = { id: 'removeWorkgroupMember', auth: 'admin', params: membershipParamSchema, status: 200 } as const;
export const createTask = { id: 'createTask', auth: 'admin', body: createWorkSchema, status: 201 } as const;
export const listTasks = { id: 'listTasks', auth: 'admin', query: listWorkQuerySchema, status: 200 } as const;
export const closeTask = { id: 'closeTask', auth: 'admin', params: workParamSchema, status: 200 } as const;
export const createActivity = { id: 'createActivity', auth: 'admin', body: createWorkSchema, status: 201 } as const;
export const listActivities = { id: 'listActivities', auth: 'admin', query: listWorkQuerySchema, status: 200 } as const;
export const closeActivity = { id: 'closeActivity', auth: 'admin', params: workParamSchema, status: 200 } as const;
export const workCounts = { id: 'workCounts', auth: 'admin', params: userParamSchema, status: 200 } as const;
export const reassignWork = { id: 'reassignWork', auth: 'admin', params: userParamSchema, body: reassignWorkSchema, status: 202 } as const;
export const getJob = { id: 'getJob', auth: 'admin', params: workParamSchema, status: 200 } as const;
export const hrWebhookStandard = { id: 'hrWebhookStandard', auth: 'public', status: 202 } as const;
export const hrWebhook = { id: 'hrWebhook', auth: 'public', params: providerParamSchema, status: 202 } as const;
export const listDeliveries = { id: 'listDeliveries', auth: 'admin', query: listDeliveriesQuerySchema, status: 200 } as const;
export const redriveDelivery = { id: 'redriveDelivery', auth: 'admin', params: deliveryParamSchema, status: 202 } as const;
export const runCleanup = { id: 'runCleanup', auth: 'admin', body: cleanupRunSchema, status: 200 } as const;
export const setLegalHold = { id: 'setLegalHold', auth: 'admin', params: userParamSchema, body: legalHoldSchema, status: 200 } as const;
export const eraseUser = { id: 'eraseUser', auth: 'admin', params: userParamSchema, status: 200 } as const;
export const createEventSubscription = { id: 'createEventSubscription', auth: 'admin', body: createSubscriptionSchema, status: 201 } as const;
export const listEventSubscriptions = { id: 'listEventSubscriptions', auth: 'admin', query: pageQuerySchema, status: 200 } as const;
export const getEventSubscription = { id: 'getEventSubscription', auth: 'admin', params: subscriptionParamSchema, status: 200 } as const;
export const deleteEventSubscription = { id: 'deleteEventSubscription', auth: 'admin', params: subscriptionParamSchema, status: 204 } as const;
export const rotateEventSubscriptionSecret = { id: 'rotateEventSubscriptionSecret', auth: 'admin', params: subscriptionParamSchema, status: 200 } as const;
export const listEventDeliveries = { id: 'listEventDeliveries', auth: 'admin', params: subscriptionParamSchema, query: pageQuerySchema, status: 200 } as const;
export const retryEventDelivery = { id: 'retryEventDelivery', auth: 'admin', params: deliveryRetryParamSchema, status: 202 } as const;
export const createConnector = { id: 'createConnector', auth: 'admin', body: createConnectorSchema, status: 201 } as const;
export const listConnectors = { id: 'listConnectors', auth: 'admin', query: pageQuerySchema, status: 200 } as const;
export const getConnector = { id: 'getConnector', auth: 'admin', params: connectorParamSchema, status: 200 } as const;
export const deleteConnector = { id: 'deleteConnector', auth: 'admin', params: connectorParamSchema, status: 204 } as const;
export const syncConnector = { id: 'syncConnector', auth: 'admin', params: connectorParamSchema, status: 202 } as const;
export const getConnectorSyncJob = { id: 'getConnectorSyncJob', auth: 'admin', params: syncJobParamSchema, status: 200 } as const;
export const getUserAccess = { id: 'getUserAccess', auth: 'admin', params: userParamSchema, status: 200 } as const;
export const openapi = { id: 'openapi', auth: 'public', status: 200 } as const;
