import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { runtime } from '../lib/runtime';
import { receiveHrWebhook } from '../lib/use-cases/hr-webhooks';
import { webhookSecretsFor } from '../lib/webhooks/secrets';
import { bamboohr } from '../lib/webhooks/providers/bamboohr';
import { gusto } from '../lib/webhooks/providers/gusto';

/** The providers with their own signature schemes; the Standard Webhooks provider has its own function. */
const adapters = { gusto, bamboohr };

export const handler = publicHandler(
  requests.hrWebhook,
  async ({ params, raw }, deps) => receiveHrWebhook(deps, adapters, params.provider, raw.body, raw.headers),
  () => runtime({ webhookSecretsFor }),
);
