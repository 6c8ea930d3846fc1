// A real redis-server (Debian's) for the tests: started on a free loopback port with
// no persistence, stopped after. stop() and start() again on the same port simulate
// Redis going away and coming back (as a restart: it comes back empty).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
  probe.close();
  await once(probe, 'close');
  return port;
}

/** @param {number} port */
async function answers(port) {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write('PING\r\n');
    const [reply] = await once(socket, 'data');
    return String(reply).startsWith('+PONG');
  } catch {
    return false;
  } finally {
    socket.destroy();
  }
}

/**
 * @returns {Promise<{ url: string, port: number, start(): Promise<void>, stop(): Promise<void> }>}
 */
export async function startRedis() {
  const port = await freePort();
  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  const redis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    // Does nothing while it runs.
    async start() {
      if (child) return;
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' });
      const deadline = Date.now() + 5000;
      while (!(await answers(port))) {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
        await sleep(50);
      }
    },
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      running.kill('SIGKILL');
      await once(running, 'exit');
    },
  };
  await redis.start();
  return redis;
}
