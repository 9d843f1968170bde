import type { HttpHandler } from '../http/handler';
import type { routes } from '../http/routes';
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

/** The Lambda handlers by file name; the type makes a route without its handler a compile error. */
export const handlers: Record<(typeof routes)[number]['handler'], HttpHandler> = {
  'accept-invitation': acceptInvitation,
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
};
