import type { HrProvider } from '../events';
import { bamboohr } from './bamboohr';
import { gusto } from './gusto';
import { standard } from './standard';

/** Every provider `POST /webhooks/hr/{provider}` accepts. */
export const providers: Record<string, HrProvider> = { standard, gusto, bamboohr };
