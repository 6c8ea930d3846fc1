// Running the system tools the field harness needs (ip, tc, nft, turnserver), each
// with a time limit: a tool that hangs fails the run with its command line rather than
// hanging it.
import { execFile, execFileSync } from 'node:child_process';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Runs `command args...`; resolves with its stdout. Rejects with one line: the command
 * and the first line it wrote to stderr (or how it ended).
 * @param {string} command
 * @param {string[]} args
 * @param {{ timeoutMs?: number, input?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<string>}
 */
export function run(command, args, { timeoutMs = DEFAULT_TIMEOUT_MS, input, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', env }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const said = String(stderr).trim().split('\n')[0];
      const how = error.killed ? `no answer in ${timeoutMs} ms` : said || error.message.split('\n')[0];
      reject(new Error(`${[command, ...args].join(' ')}: ${how}`));
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/**
 * The same, synchronously and ignoring failure: for teardown on the way out of a
 * process that is being killed, where nothing asynchronous runs any more.
 * @param {string} command
 * @param {string[]} args
 */
export function runQuietlySync(command, args) {
  try {
    execFileSync(command, args, { stdio: 'ignore', timeout: DEFAULT_TIMEOUT_MS });
  } catch {
    // Already gone, or never made: either way there is nothing left to remove.
  }
}

/**
 * Runs `command args...` inside network namespace `ns`.
 * @param {string} ns
 * @param {string} command
 * @param {string[]} args
 * @param {{ timeoutMs?: number, input?: string }} [options]
 */
export function runIn(ns, command, args, options) {
  return run('ip', ['netns', 'exec', ns, command, ...args], options);
}
