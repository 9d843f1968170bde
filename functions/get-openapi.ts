import * as requests from '../lib/http/requests';
import { publicHandler } from '../lib/http/handler';
import { openApiDocument } from '../lib/http/openapi';

export const handler = publicHandler(requests.openapi, async () => openApiDocument());
