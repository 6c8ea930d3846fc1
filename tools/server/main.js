#!/usr/bin/env node
// `node tools/server/main.js [--port N] [--host H] [--origin]`: the site, the
// signaling server and (with --origin) the HTTP chunk origin in one process.
// Environment: PORT, HOST, SWARMCAST_ORIGIN=1, SWARMCAST_ICE_SERVERS (a JSON array of
// RTCIceServer, e.g. '[{"urls":"stun:stun.example.org"}]', handed to every client).
import { parseArgs } from 'node:util';
import { createServer } from './index.js';

/**
 * The servers as given: createServer checks each one and names a bad one.
 * @param {string | undefined} text
 * @returns {import('./index.js').IceServer[]}
 */
function iceServersFromEnv(text) {
  if (!text) return [];
  const servers = JSON.parse(text);
  if (!Array.isArray(servers)) throw new TypeError('SWARMCAST_ICE_SERVERS must be a JSON array');
  return servers;
}

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, origin: { type: 'boolean' } },
});
const port = Number(values.port ?? process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port: ${values.port ?? process.env.PORT}`);

const origin = values.origin ?? process.env.SWARMCAST_ORIGIN === '1';
const server = createServer({
  host: values.host ?? (process.env.HOST || undefined),
  origin,
  iceServers: iceServersFromEnv(process.env.SWARMCAST_ICE_SERVERS),
});
const url = await server.listen(port);
console.log(`swarmcast on ${url}
  watch list  ${url}/
  broadcast   ${url}/broadcast
  watch       ${url}/watch/<streamId>
  debug       ${url}/debug (a stream and its viewers in one page, simulated network)
  signaling   ${url.replace(/^http/, 'ws')}/signal
  streams     ${url}/api/streams${origin ? '\n  origin      on (PUT/GET /api/streams/<id>/chunks/<seq>)' : ''}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close().then(() => process.exit(0)));
}
