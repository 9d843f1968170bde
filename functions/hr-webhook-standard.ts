import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { runtime } from '../lib/runtime';
import { receiveHrWebhook } from '../lib/use-cases/hr-webhooks';
import { webhookSecretsFor } from '../lib/webhooks/secrets';
import { standard } from '../lib/webhooks/providers/standard';

/**
 * `POST /webhooks/hr/standard`: a route of its own (API Gateway matches it before
 * `/webhooks/hr/{provider}`) so that only this function bundles the Standard Webhooks library.
 */
export const handler = publicHandler(
  requests.hrWebhookStandard,
  async ({ raw }, deps) => receiveHrWebhook(deps, { standard }, 'standard', raw.body, raw.headers),
  () => runtime({ webhookSecretsFor }),
);
