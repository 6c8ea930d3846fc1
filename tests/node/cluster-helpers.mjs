// Shared by the cluster tests: server instances on one Redis, and joins through the
// signaling clients of signaling-peer.mjs.
import { setTimeout as sleep } from 'node:timers/promises';
import { Peer } from './signaling-peer.mjs';

export { Peer, schemaViolations, sockets } from './signaling-peer.mjs';

export async function broadcast(url, signer, join = {}) {
  const peer = await Peer.connect(url);
  peer.send({ type: 'join', role: 'broadcaster', streamId: signer.streamId, canUpload: true, uploadKbps: 5000, ...join });
  const { nonce } = await peer.next('challenge');
  const signature = signer.signChallenge(new Uint8Array(Buffer.from(nonce, 'base64url')));
  peer.send({ type: 'prove', signature: Buffer.from(signature).toString('base64url') });
  peer.welcome = await peer.next('welcome');
  return peer;
}

export async function watch(url, streamId, { resume } = {}) {
  const peer = await Peer.connect(url);
  peer.send({ type: 'join', role: 'viewer', streamId, canUpload: true, uploadKbps: 1000, ...(resume && { resume }) });
  peer.welcome = await peer.next('welcome');
  return peer;
}

export const resumeOf = (welcome) => ({ peerId: welcome.peerId, token: welcome.resumeToken });
export const getJson = async (url, path) => (await fetch(url + path)).json();

// Polls `probe` until it returns a truthy value; the last value otherwise.
export async function eventually(probe, timeoutMs = 5000, stepMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value || Date.now() > deadline) return value;
    await sleep(stepMs);
  }
}
