import * as requests from '../lib/http/requests';
import { staticHandler } from '../lib/http/pipeline';
import { openApiDocument } from '../lib/http/openapi';

export const handler = staticHandler(requests.openapi, async () => openApiDocument());
