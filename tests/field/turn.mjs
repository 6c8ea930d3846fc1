// coturn in the field's server namespace: STUN and TURN over UDP on the public side,
// with TURN REST credentials (use-auth-secret), which the signaling server mints per
// client from the same secret (createServer's `turn` option).
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runIn } from './command.mjs';
import { SERVER_ADDRESS } from './netns.mjs';

const TURN_PORT = 3478;
const READY_TIMEOUT_MS = 10_000;

/**
 * Starts turnserver in `field`'s server namespace; resolves once it listens.
 * @param {import('./netns.mjs').Field} field
 * @returns {Promise<{ urls: string, secret: string, log: () => string }>}
 */
export async function startTurn(field) {
  const secret = randomBytes(24).toString('base64url');
  const config = join(field.tempDir, 'turnserver.conf');
  writeFileSync(config, [
    `listening-ip=${SERVER_ADDRESS}`,
    `relay-ip=${SERVER_ADDRESS}`,
    `listening-port=${TURN_PORT}`,
    'min-port=49152', 'max-port=65535',
    'use-auth-secret', `static-auth-secret=${secret}`, 'realm=swarmcast.field',
    'fingerprint', 'no-tls', 'no-dtls', 'no-cli', 'no-tcp-relay',
    `userdb=${join(field.tempDir, 'turndb')}`,
    `pidfile=${join(field.tempDir, 'turnserver.pid')}`,
    'log-file=stdout', 'simple-log', 'verbose',
  ].join('\n'));
  const child = field.spawn(field.serverNs, 'turnserver', ['-c', config]);
  let output = '';
  child.stdout?.on('data', (data) => { output += data; });
  child.stderr?.on('data', (data) => { output += data; });
  let exited = false;
  child.once('exit', () => { exited = true; });
  // Ready when its UDP port is bound (its log says so only when verbose).
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await runIn(field.serverNs, 'ss', ['-Hlun', `sport = :${TURN_PORT}`])).trim()) {
    if (exited) throw new Error(`turnserver exited: ${output.slice(-300)}`);
    if (Date.now() > deadline) throw new Error(`turnserver did not start in ${READY_TIMEOUT_MS} ms: ${output.slice(-300)}`);
    await sleep(50);
  }
  return { urls: `turn:${SERVER_ADDRESS}:${TURN_PORT}?transport=udp`, secret, log: () => output };
}
