import { existsSync } from 'node:fs';
import { ensureConsoleBuilt } from '../../lib/local/console-build';
import { CHROMIUM } from '../support/browser';

/**
 * Builds the console once for the run (each `npm start` the tests launch then finds it fresh
 * instead of building it again), and says what is missing when there is no browser to drive.
 */
export default async function setup() {
  if (!existsSync(CHROMIUM)) throw new Error(`The browser tests drive Debian's chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does).`);
  await ensureConsoleBuilt();
}
