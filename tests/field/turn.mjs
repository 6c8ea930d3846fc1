// coturn in the field's server namespace: STUN and TURN over UDP on the public side,
// with TURN REST credentials (use-auth-secret), which the signaling server mints per
// client from the same secret (createServer's `turn` option). Started by the module
// `npm start -- --turn` uses (tools/server/coturn.js), inside the namespace.
import { startCoturn } from '../../tools/server/coturn.js';
import { SERVER_ADDRESS } from './netns.mjs';

const TURN_PORT = 3478;

/**
 * Starts turnserver in `field`'s server namespace; resolves once it listens. The field
 * stops it as it closes, before the namespaces go.
 * @param {import('./netns.mjs').Field} field
 * @returns {Promise<{ urls: string[], secret: string, log: () => string }>}
 */
export async function startTurn(field) {
  const coturn = await startCoturn({
    listenAddress: SERVER_ADDRESS, port: TURN_PORT, realm: 'swarmcast.field',
    command: ['ip', 'netns', 'exec', field.serverNs],
  });
  field.adopt(() => coturn.stop());
  return { ...coturn.turn, log: coturn.log };
}
