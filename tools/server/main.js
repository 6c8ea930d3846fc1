#!/usr/bin/env node
// `node tools/server/main.js [--port N] [--host H] [--origin]`: the site, the
// signaling server and (with --origin) the HTTP chunk origin in one process.
// Environment: PORT, HOST, SWARMCAST_ORIGIN=1, SWARMCAST_ICE_SERVERS (a JSON array of
// RTCIceServer, e.g. '[{"urls":"stun:stun.example.org"}]', handed to every client).
import { parseArgs } from 'node:util';
import { startServer } from './server.js';

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

const server = await startServer({
  port,
  host: values.host ?? process.env.HOST,
  origin: values.origin ?? process.env.SWARMCAST_ORIGIN === '1',
  iceServers: iceServersFromEnv(process.env.SWARMCAST_ICE_SERVERS),
});
console.log(`swarmcast on ${server.url}
  watch list  ${server.url}/
  broadcast   ${server.url}/broadcast
  watch       ${server.url}/watch/<streamId>
  debug       ${server.url}/debug (a stream and its viewers in one page, simulated network)
  signaling   ${server.url.replace(/^http/, 'ws')}/signal
  streams     ${server.url}/api/streams${values.origin || process.env.SWARMCAST_ORIGIN === '1' ? '\n  origin      on (PUT/GET /api/streams/<id>/chunks/<seq>)' : ''}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close().then(() => process.exit(0)));
}
