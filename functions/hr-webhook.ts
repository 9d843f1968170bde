import '../lib/capabilities/webhook-secrets';
import { publicHandler } from '../lib/http/handler';
import { receiveHrWebhook } from '../lib/use-cases/hr-webhooks';

export const handler = publicHandler('hrWebhook', async ({ params, raw }, deps) => receiveHrWebhook(deps, params.provider, raw.body, raw.headers));
