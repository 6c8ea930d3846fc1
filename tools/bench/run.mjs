// npm run bench: Google Benchmark natively and as wasm under Node (the same sources in
// bench/native/), plus the Embind harness for the segmenter and trust figures, side by
// side with wasm/native ratios and the bundle size, into bench/results.json.
// SWARMCAST_NATIVE_BUILD and SWARMCAST_WASM_BUILD choose the build dirs (default
// build/native and build/wasm).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runWasmBench } from './wasm-bench.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const nativeDir = resolve(root, process.env.SWARMCAST_NATIVE_BUILD ?? 'build/native');
const wasmDir = resolve(root, process.env.SWARMCAST_WASM_BUILD ?? 'build/wasm');
const timing = ['--benchmark_format=json', '--benchmark_min_time=0.25', '--benchmark_repetitions=5'];
// What the wasm Google Benchmark build reports; the rest of the wasm figures come from
// the Embind harness, which measures what JavaScript callers see.
const swarmAndWire = '--benchmark_filter=^(scheduler_|engine_|decode_)';

// One Google Benchmark run: per benchmark the best repetition (the least disturbed by
// other load on the machine), as the Embind harness does.
function googleBenchmark(command, args) {
  const json = execFileSync(command, [...args, ...timing], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const best = {};
  for (const b of JSON.parse(json).benchmarks.filter((x) => x.run_type === 'iteration')) {
    const name = b.run_name ?? b.name;
    if (b.error_occurred) throw new Error(`${name}: ${b.error_message}`);
    if (!best[name] || b.real_time < best[name].real_time) best[name] = b;
  }
  return best;
}

const MB = 1e6;
const toMicroseconds = { ns: 1e-3, us: 1, ms: 1e3, s: 1e6 };
const micros = (b) => b.real_time * toMicroseconds[b.time_unit];

function swarmAndWireFigures(byName) {
  const figures = {
    scheduler_tick_us: micros(byName.scheduler_tick),
    engine_tick_us: micros(byName.engine_tick),
    engine_tick_idle_us: micros(byName.engine_tick_idle),
  };
  for (const kind of ['piece', 'have_range', 'request', 'chunk_header', 'handshake']) {
    const b = byName[`decode_${kind}`];
    figures[`decode_${kind}_per_s`] = b.items_per_second;
    figures[`decode_${kind}_MBps`] = b.bytes_per_second / MB;
  }
  return figures;
}

function nativeResults() {
  const byName = googleBenchmark(join(nativeDir, 'bench/core_bench'), []);
  return {
    segmenter_MBps: byName['segmenter_mb_per_s'].bytes_per_second / MB,
    sha256_1MiB_MBps: byName['sha256_throughput/1048576'].bytes_per_second / MB,
    sha256_16KiB_MBps: byName['sha256_throughput/16384'].bytes_per_second / MB,
    merkle_root_1MiB_per_s: byName['merkle_root_1mib'].bytes_per_second / (1 << 20),
    ed25519_sign_per_s: byName['ed25519_sign'].items_per_second,
    ed25519_verify_per_s: byName['ed25519_verify'].items_per_second,
    piece_verify_per_s: byName['piece_verify'].items_per_second,
    ...swarmAndWireFigures(byName),
  };
}

// The wasm Google Benchmark binary is not part of the default build (npm test does not
// need it): build it here, a no-op when it is up to date.
function wasmGoogleBenchmark() {
  if (!existsSync(join(root, 'third_party/benchmark/src/benchmark.cc')))
    throw new Error('third_party/benchmark is missing: run tools/bootstrap.sh');
  execFileSync('cmake', ['--build', wasmDir, '--target', 'core_bench', '-j', String(cpus().length)], {
    env: { ...process.env, NODE_PATH: '/usr/share/nodejs' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return swarmAndWireFigures(googleBenchmark('node', [join(wasmDir, 'bench/core_bench.cjs'), swarmAndWire]));
}

async function loadCore() {
  const { default: createCore } = await import(pathToFileURL(join(wasmDir, 'swarmcast.mjs')).href);
  return createCore({ wasmBinary: readFileSync(join(wasmDir, 'swarmcast.wasm')) });
}

// What a browser downloads for the core, measured from the built files: the .wasm and
// its JS glue, raw and gzipped (level 9, as a server compresses static files once).
function bundleSize() {
  const wasm = readFileSync(join(wasmDir, 'swarmcast.wasm'));
  const glue = readFileSync(join(wasmDir, 'swarmcast.mjs'));
  const wasmGzip = gzipSync(wasm, { level: 9 }).length;
  const glueGzip = gzipSync(glue, { level: 9 }).length;
  return {
    wasm_bytes: wasm.length,
    glue_bytes: glue.length,
    wasm_gzip_bytes: wasmGzip,
    glue_gzip_bytes: glueGzip,
    gzip_total_bytes: wasmGzip + glueGzip,
  };
}

const round = (x) => Math.round(x * 100) / 100;
const roundAll = (figures) => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round(v)]));
const native = nativeResults();
const wasm = {
  ...runWasmBench(await loadCore(), join(root, 'build/media/bench-vp8-opus.webm')),
  ...wasmGoogleBenchmark(),
};
// How many times longer wasm takes: time over time for the *_us figures, native over
// wasm for the rates.
const wasm_over_native_time = Object.fromEntries(
  Object.keys(native).map((k) => [k, round(k.endsWith('_us') ? wasm[k] / native[k] : native[k] / wasm[k])]),
);
const results = {
  date: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
  native: roundAll(native),
  wasm: roundAll(wasm),
  wasm_over_native_time,
  bundle: bundleSize(),
};
writeFileSync(join(root, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
