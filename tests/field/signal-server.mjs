// The signaling server as a process of its own, so that it can run in the field's
// server namespace: `node tests/field/signal-server.mjs '<createServer options as
// JSON>' <host>` prints "listening <url>" once it listens and closes on SIGTERM.
import { createServer } from '../../tools/server/index.js';

const [optionsJson = '{}', host = '0.0.0.0'] = process.argv.slice(2);
const server = createServer(JSON.parse(optionsJson));
const url = await server.listen(0, host);
console.log(`listening ${url}`);
process.once('SIGTERM', () => server.close().then(() => process.exit(0)));
