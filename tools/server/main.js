#!/usr/bin/env node
// `node tools/server/main.js [--port N] [--host H] [--origin] [--turn]`: the site, the
// signaling server, (with --origin) the HTTP chunk origin in one process, and (with
// --turn) a coturn on loopback beside it that hands every client a TURN credential of
// its own (stopped with the server, and never left running after it).
// Environment: PORT, HOST, SWARMCAST_ORIGIN=1, SWARMCAST_ICE_SERVERS (a JSON array of
// RTCIceServer, e.g. '[{"urls":"stun:stun.example.org"}]', handed to every client),
// SWARMCAST_LIMITS (a JSON object overriding tools/server/limits.js, e.g.
// '{"maxPeersPerRoom":20000}'; createServer checks each name and value).
// Several instances share their rooms through one Redis: `--redis URL` (or
// SWARMCAST_REDIS_URL), with `--instance-id ID` and `--public-url ws://...` optional.
import { parseArgs } from 'node:util';
import { startCoturn } from './coturn.js';
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

/**
 * @param {string | undefined} text
 * @returns {Record<string, number>}
 */
function limitsFromEnv(text) {
  if (!text) return {};
  const limits = JSON.parse(text);
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) throw new TypeError('SWARMCAST_LIMITS must be a JSON object');
  return limits;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string' }, host: { type: 'string' }, origin: { type: 'boolean' }, turn: { type: 'boolean' },
    redis: { type: 'string' }, 'instance-id': { type: 'string' }, 'public-url': { type: 'string' },
  },
});
const redis = values.redis ?? (process.env.SWARMCAST_REDIS_URL || undefined);
const port = Number(values.port ?? process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`not a port: ${values.port ?? process.env.PORT}`);

const origin = values.origin ?? process.env.SWARMCAST_ORIGIN === '1';
const coturn = values.turn ? await startCoturn() : null;
const server = createServer({
  host: values.host ?? (process.env.HOST || undefined),
  origin,
  iceServers: iceServersFromEnv(process.env.SWARMCAST_ICE_SERVERS),
  limits: limitsFromEnv(process.env.SWARMCAST_LIMITS),
  ...(coturn && { turn: coturn.turn }),
  ...(redis && { redis }),
  ...(values['instance-id'] && { instanceId: values['instance-id'] }),
  ...(values['public-url'] && { publicUrl: values['public-url'] }),
});
const url = await server.listen(port).catch(async (error) => {
  await coturn?.stop();
  throw error;
});
const optional = [
  origin && '  origin      on (PUT/GET /api/streams/<id>/renditions/<r>/chunks/<seq>)',
  coturn && `  turn        ${coturn.turn.urls} (coturn, pid ${coturn.pid})`,
].filter(Boolean).map((line) => `\n${line}`).join('');
console.log(`swarmcast on ${url}
  watch list  ${url}/
  broadcast   ${url}/broadcast
  watch       ${url}/watch/<streamId>
  debug       ${url}/debug (a stream and its viewers in one page, simulated network)
  signaling   ${url.replace(/^http/, 'ws')}/signal
  streams     ${url}/api/streams
  metrics     ${url}/metrics${optional}`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => server.close().then(() => coturn?.stop()).then(() => process.exit(0)));
}
