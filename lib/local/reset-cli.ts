import { ResetRefused, resetLocalState } from './reset';
import { stateDir } from './state';

/** `npm run reset`: wipes the local state (lib/local/reset.ts); refused, exit 1, while a server runs on it. */
try {
  const { removed } = await resetLocalState();
  if (removed.length === 0) console.log(`Nothing to reset: ${stateDir} holds no local data.`);
  else console.log(`Removed the local data (${removed.map((path) => path.slice(path.lastIndexOf('/') + 1)).join(', ')}) from ${stateDir}.`);
  console.log('npm start begins on an empty database, with a new admin; tokens issued before no longer work.');
  if (process.env.DYNAMODB_ENDPOINT) console.log(`DYNAMODB_ENDPOINT is set: the table at ${process.env.DYNAMODB_ENDPOINT} was not touched (delete it there).`);
} catch (error) {
  console.error(error instanceof ResetRefused ? error.message : `npm run reset failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exit(1);
}
