// npm run bench: Google Benchmark natively and the same inputs in wasm under Node,
// side by side with wasm/native ratios and the bundle size, into bench/results.json.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCoreForNode } from '../lib/load-core.mjs';
import { runWasmBench } from './wasm-bench.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

function nativeResults() {
  const json = execFileSync(join(root, 'build/native/bench/core_bench'),
    ['--benchmark_format=json', '--benchmark_min_time=0.25', '--benchmark_repetitions=5'],
    { encoding: 'utf8', maxBuffer: 1 << 24 });
  // Best of the repetitions, as the wasm harness does.
  const byName = {};
  for (const b of JSON.parse(json).benchmarks.filter((x) => x.run_type === 'iteration')) {
    const name = b.run_name ?? b.name;
    const best = byName[name];
    const speed = (x) => x.bytes_per_second ?? x.items_per_second;
    if (!best || speed(b) > speed(best)) byName[name] = b;
  }
  const MB = 1e6;
  return {
    segmenter_MBps: byName['segmenter_mb_per_s'].bytes_per_second / MB,
    sha256_1MiB_MBps: byName['sha256_throughput/1048576'].bytes_per_second / MB,
    sha256_16KiB_MBps: byName['sha256_throughput/16384'].bytes_per_second / MB,
    merkle_root_1MiB_per_s: byName['merkle_root_1mib'].bytes_per_second / (1 << 20),
    ed25519_sign_per_s: byName['ed25519_sign'].items_per_second,
    ed25519_verify_per_s: byName['ed25519_verify'].items_per_second,
    piece_verify_per_s: byName['piece_verify'].items_per_second,
  };
}

function bundleSize() {
  const wasm = readFileSync(join(root, 'build/wasm/swarmcast.wasm'));
  const js = readFileSync(join(root, 'build/wasm/swarmcast.mjs'));
  return {
    wasm_bytes: wasm.length,
    js_bytes: js.length,
    gzip_bytes: gzipSync(wasm, { level: 9 }).length + gzipSync(js, { level: 9 }).length,
  };
}

const round = (x) => Math.round(x * 100) / 100;
const native = nativeResults();
const wasm = runWasmBench(await loadCoreForNode(), join(root, 'build/media/bench-vp8-opus.webm'));
// Throughputs, so native/wasm is how many times slower wasm is (the wasm/native time ratio).
const wasm_over_native_time = Object.fromEntries(Object.keys(native).map((k) => [k, round(native[k] / wasm[k])]));
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  native: Object.fromEntries(Object.entries(native).map(([k, v]) => [k, round(v)])),
  wasm: Object.fromEntries(Object.entries(wasm).map(([k, v]) => [k, round(v)])),
  wasm_over_native_time,
  bundle: bundleSize(),
};
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
