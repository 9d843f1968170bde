import { startScimServer } from '../test/support/scim-server';

/**
 * A SCIM 2.0 app to connect to `npm start` (README, "Walk-through: connect a SCIM app"): SCIMMY
 * behind scimmy-routers, the same third-party server the tests run, on 127.0.0.1:4010, printing
 * every request it receives. Dev dependencies only: it is never deployed.
 */
const port = Number(process.env.SCIM_DEMO_PORT ?? 4010);
const token = process.env.SCIM_DEMO_TOKEN ?? 'demo-scim-token';
const server = await startScimServer({ port, token, log: (line) => console.log(`scim app: ${line}`) });
console.log(`SCIM app listening: baseUrl ${server.baseUrl}, bearer token ${token}`);
