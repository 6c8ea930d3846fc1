// coturn as `npm start -- --turn` runs it (tools/server/coturn.js, tools/server/main.js):
// a real turnserver answers STUN on the port it was given, the server hands each client
// a credential for it, and it never outlives the server, however the server ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startCoturn } from '../../tools/server/coturn.js';
import { processRunning as running, root } from './helpers.mjs';

async function gone(pid, timeoutMs = 5000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (!running(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

// A STUN Binding request (RFC 5389): the answer is a Binding success response with our id.
async function stunBinding(port) {
  const socket = createSocket('udp4');
  const id = randomBytes(12);
  const request = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), id]);
  const answered = once(socket, 'message');
  socket.send(request, port, '127.0.0.1');
  const timer = setTimeout(() => socket.emit('error', new Error('no STUN answer in 3 s')), 3000);
  try {
    const [response] = await answered;
    return { type: response.readUInt16BE(0), sameId: response.subarray(8, 20).equals(id) };
  } finally {
    clearTimeout(timer);
    socket.close();
  }
}

test('startCoturn: it answers STUN on its port, and stop() ends it and removes its files', async () => {
  const coturn = await startCoturn();
  assert.match(coturn.turn.urls[0], new RegExp(`^turn:127\\.0\\.0\\.1:${coturn.port}\\?transport=udp$`));
  assert.ok(coturn.turn.secret.length >= 32);
  assert.deepEqual(await stunBinding(coturn.port), { type: 0x0101, sameId: true });
  // Its command line names its config, in a folder of its own.
  const config = readFileSync(`/proc/${coturn.pid}/cmdline`, 'utf8').split('\0').at(-2);
  assert.match(config, /swarmcast-coturn-\w+\/turnserver\.conf$/);
  assert.ok(existsSync(config));
  await coturn.stop();
  assert.equal(running(coturn.pid), false);
  assert.equal(existsSync(config), false);
});

test('startCoturn: a coturn that cannot start is an error naming what went wrong', async () => {
  await assert.rejects(startCoturn({ command: ['ip', 'netns', 'exec', 'swarmcast-no-such-namespace'], port: 3478 }),
    /turnserver exited \(\d+\): .*swarmcast-no-such-namespace/s);
});

// Starts `npm start -- --turn` on a free port; resolves with its URL and coturn's pid.
async function startMain() {
  const child = spawn(process.execPath, [join(root, 'tools/server/main.js'), '--port', '0', '--host', '127.0.0.1', '--turn'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (data) => { output += data; });
  child.stderr.on('data', (data) => { output += data; });
  for (const deadline = Date.now() + 20_000; !/turn {8}\S+ \(coturn, pid \d+\)/.test(output);) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`no turn line: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const [, url] = output.match(/swarmcast on (\S+)/);
  const [, turnUrl, pid] = output.match(/turn {8}(\S+) \(coturn, pid (\d+)\)/);
  return { child, url, turnUrl, coturnPid: Number(pid) };
}

test('npm start -- --turn: every welcome carries a TURN credential; coturn stops with the server, even a killed one', async () => {
  const server = await startMain();
  try {
    assert.ok(running(server.coturnPid));
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signal`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ type: 'join', role: 'viewer', streamId: randomBytes(32).toString('base64url') }));
    const [data] = await once(ws, 'message');
    const welcome = JSON.parse(String(data));
    ws.close();
    assert.equal(welcome.type, 'welcome');
    const [turn] = welcome.iceServers;
    assert.deepEqual(turn.urls, [server.turnUrl]);
    assert.match(turn.username, new RegExp(`^\\d+:peer${welcome.peerId}$`));
    assert.ok(turn.credential.length > 20);
  } finally {
    server.child.kill('SIGTERM');
  }
  await once(server.child, 'exit');
  assert.ok(await gone(server.coturnPid), 'coturn stopped with the server');

  const killed = await startMain();
  const config = readFileSync(`/proc/${killed.coturnPid}/cmdline`, 'utf8').split('\0').at(-2);
  killed.child.kill('SIGKILL');
  await once(killed.child, 'exit');
  assert.ok(await gone(killed.coturnPid), 'coturn ended with a server killed outright');
  // Its folder outlived it; the next coturn started removes it.
  assert.ok(existsSync(config));
  await (await startCoturn()).stop();
  assert.equal(existsSync(config), false);
});
