import '../lib/capabilities/webhook-secrets';
import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { receiveHrWebhook } from '../lib/use-cases/hr-webhooks';

export const handler = publicHandler(requests.hrWebhook, async ({ params, raw }, deps) => receiveHrWebhook(deps, params.provider, raw.body, raw.headers));
