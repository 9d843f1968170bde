import type { VNode } from 'preact';
import '../admin.css';
import { CleanupPage } from './cleanup';
import { ConnectorsPage } from './connectors';
import { EventSubscriptionPage, EventSubscriptionsPage } from './event-subscriptions';
import { HrDeliveriesPage } from './hr-deliveries';
import { WorkgroupPage, WorkgroupsPage } from './workgroups';

const one = (prefix: string, path: string) => {
  const match = new RegExp(`^${prefix}/([^/]+)$`).exec(path);
  return match ? decodeURIComponent(match[1]!) : undefined;
};

/** The admin sections' pages by console path (workgroups, HR deliveries, cleanup, events, connectors), or undefined. */
export function adminSectionPage(path: string): VNode | undefined {
  if (path === '/workgroups') return <WorkgroupsPage />;
  const workgroup = one('/workgroups', path);
  if (workgroup) return <WorkgroupPage id={workgroup} />;
  if (path === '/hr-deliveries') return <HrDeliveriesPage />;
  if (path === '/cleanup') return <CleanupPage />;
  if (path === '/event-subscriptions') return <EventSubscriptionsPage />;
  const subscription = one('/event-subscriptions', path);
  if (subscription) return <EventSubscriptionPage id={subscription} />;
  if (path === '/connectors') return <ConnectorsPage />;
  return undefined;
}
