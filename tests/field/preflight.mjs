// What the field harness needs before it touches anything: the tools on PATH, the
// privileges to make network namespaces, and `ip netns add` actually working (a
// container may grant the capabilities and still refuse it). A missing piece is one
// line naming it, found in well under a second; never a hang halfway through a setup.
// `node tests/field/preflight.mjs` prints that line and exits 1, or exits 0.
import { readFileSync, accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { run } from './command.mjs';
import { CHROMIUM } from '../browser/launch.mjs';

// The tool, and the Debian package tools/bootstrap.sh installs it from.
const TOOLS = { ip: 'iproute2', tc: 'iproute2', nft: 'nftables', turnserver: 'coturn' };

// Bits of /proc/self/status's CapEff: `ip netns add` mounts (CAP_SYS_ADMIN), the links
// and qdiscs need CAP_NET_ADMIN.
const CAPABILITIES = { CAP_NET_ADMIN: 12, CAP_SYS_ADMIN: 21 };

/** The harness cannot run here; the message is the one line that says why. */
export class FieldUnavailable extends Error {
  name = 'FieldUnavailable';
}

/**
 * @param {string} name
 * @param {string} searchPath
 */
function onPath(name, searchPath) {
  return searchPath.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function missingCapabilities() {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('CapEff:'));
  const effective = BigInt(`0x${line?.split(/\s+/)[1] ?? '0'}`);
  return Object.entries(CAPABILITIES).filter(([, bit]) => !(effective & (1n << BigInt(bit)))).map(([name]) => name);
}

/**
 * Null when the harness can run; otherwise the one line naming what is missing.
 * @param {{ searchPath?: string }} [options]
 * @returns {Promise<string | null>}
 */
export async function preflight({ searchPath = process.env.PATH ?? '' } = {}) {
  const missingTools = Object.keys(TOOLS).filter((tool) => !onPath(tool, searchPath));
  if (missingTools.length) {
    const packages = [...new Set(missingTools.map((tool) => TOOLS[/** @type {keyof typeof TOOLS} */ (tool)]))];
    return `field harness: ${missingTools.join(', ')} not on PATH (Debian packages ${packages.join(', ')}; tools/bootstrap.sh installs them)`;
  }
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    return `field harness: no Chromium at ${CHROMIUM} (Debian package chromium; tools/bootstrap.sh installs it)`;
  }
  const missing = missingCapabilities();
  if (missing.length) {
    return `field harness: needs root for network namespaces (missing ${missing.join(' and ')}; running as uid ${process.getuid?.()})`;
  }
  const probe = `scfprobe${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe], { timeoutMs: 5000 });
  } catch (error) {
    return `field harness: cannot create a network namespace (${/** @type {Error} */ (error).message})`;
  }
  await run('ip', ['netns', 'del', probe], { timeoutMs: 5000 }).catch(() => {});
  return null;
}

/** Throws FieldUnavailable with preflight()'s line when the harness cannot run. */
export async function requireField() {
  const problem = await preflight();
  if (problem) throw new FieldUnavailable(problem);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const problem = await preflight();
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
}
