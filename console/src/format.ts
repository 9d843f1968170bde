import type { Schemas, User } from '../../lib/client/client';

export const fullName = (user: Pick<User, 'firstName' | 'lastName'>) => `${user.firstName} ${user.lastName}`.trim();

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? iso : dateTime.format(time);
}

export const statusLabel: Record<User['status'], string> = { invited: 'Invited', active: 'Active', dismissed: 'Dismissed' };
export const typeLabel: Record<User['type'], string> = { employee: 'Employee', extranet: 'Extranet' };

export const accessLabel: Record<Schemas['Access']['state'], string> = {
  provisioned: 'Provisioned',
  deactivated: 'Deactivated',
  deprovisioned: 'Removed',
  pending: 'Pending',
  failed: 'Failed',
};

/** `user.contact_email_changed` -> "Contact email changed"; `invitation.link_issued` -> "Invitation link issued". */
export function actionLabel(action: string): string {
  const [scope, name] = action.includes('.') ? (action.split('.', 2) as [string, string]) : ['', action];
  const words = `${scope === 'user' || scope === '' ? '' : `${scope} `}${name}`.replace(/[_.]/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** `loginEmail` -> "login email", `body.workgroupIds` -> "workgroup ids". */
export function fieldLabel(path: string): string {
  const field = path.replace(/^(body|query|path|headers)\./, '');
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[._]/g, ' ')
    .toLowerCase();
}

export function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map(valueText).join(', ') : 'none';
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatTime(value);
  return String(value);
}
