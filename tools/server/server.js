// startServer(): createServer() and listen() in one call, as the tests and the benches
// use it. The server itself is tools/server/index.js (swarmcast/server).
import { createServer } from './index.js';

/**
 * createServer's options and the port to listen on (default 0: any free port).
 * @typedef {import('./index.js').ServerOptions & { port?: number }} StartOptions
 */

/**
 * @typedef {object} StartedServer
 * @property {string} url
 * @property {number} port
 * @property {() => Promise<void>} close
 * @property {() => import('./cluster/solo.js').ClusterStatus | null} clusterStatus
 */

/**
 * Resolves once listening.
 * @param {StartOptions} [options]
 * @returns {Promise<StartedServer>}
 */
export async function startServer({ port = 0, ...options } = {}) {
  const server = createServer(options);
  const url = await server.listen(port);
  return { url, port: Number(new URL(url).port), close: () => server.close(), clusterStatus: () => server.clusterStatus() };
}
