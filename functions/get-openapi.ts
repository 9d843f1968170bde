import { publicHandler } from '../lib/http/handler';
import { openApiDocument } from '../lib/http/openapi';

export const handler = publicHandler('openapi', async () => openApiDocument());
