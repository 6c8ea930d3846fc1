// The field harness on a machine that cannot run it: one line naming what is missing,
// at once, and nothing left behind. Run as an unprivileged user (setpriv drops root)
// and with the tools off PATH; each must exit 1 within seconds, never hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PREFLIGHT = fileURLToPath(new URL('../field/preflight.mjs', import.meta.url));

/**
 * @param {string[]} command
 * @param {NodeJS.ProcessEnv} env
 */
function preflight(command, env = process.env) {
  const started = Date.now();
  const [program, ...args] = [...command, process.execPath, PREFLIGHT];
  const result = spawnSync(program, args, { env, encoding: 'utf8', timeout: 20_000 });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout, ms: Date.now() - started };
}

test('without root: one line naming the missing privileges', { skip: process.getuid?.() !== 0 && 'needs root to drop it' }, () => {
  const result = preflight(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
  assert.equal(result.status, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /^field harness: needs root for network namespaces \(missing CAP_NET_ADMIN and CAP_SYS_ADMIN; running as uid 65534\)\n$/);
  assert.ok(result.ms < 10_000, `took ${result.ms} ms`);
});

test('without the tools on PATH: one line naming them and their packages', () => {
  const result = preflight([], { PATH: '/nonexistent' });
  assert.equal(result.status, 1, result.stderr);
  assert.match(result.stderr, /^field harness: ip, tc, nft, turnserver not on PATH \(Debian packages iproute2, nftables, coturn; [^\n]*\)\n$/);
});

test('with everything in place: no line at all', { skip: process.getuid?.() !== 0 && 'needs root' }, () => {
  const result = preflight([]);
  assert.equal(result.stderr, '');
  assert.equal(result.status, 0);
});
