// Google Benchmark over the core. tools/bench/wasm-bench.mjs runs the same inputs
// through the wasm build; tools/bench/run.mjs puts both side by side.
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>

#include "media/webm_segmenter.hpp"
#include "trust/keys.hpp"
#include "trust/merkle.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast {
namespace {

// Deterministic filler: benchmarks compare runs, so inputs must not change.
ByteVector pattern(std::size_t n) {
  ByteVector out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Byte>((i * 2654435761u) >> 13);
  return out;
}

const ByteVector& bench_media() {
  static const ByteVector bytes = [] {
    std::ifstream in(std::string(SWARMCAST_TEST_MEDIA) + "/bench-vp8-opus.webm", std::ios::binary);
    return ByteVector(std::istreambuf_iterator<char>(in), {});
  }();
  return bytes;
}

trust::KeyPair bench_keys() {
  trust::Seed seed;
  seed.bytes.fill(7);
  return trust::keypair_from_seed(seed);
}

void segmenter_mb_per_s(benchmark::State& state) {
  const ByteVector& file = bench_media();
  if (file.empty()) return state.SkipWithError("build/media/bench-vp8-opus.webm missing");
  constexpr std::size_t kSlice = 64 * 1024;  // a recorder hands over tens of KB at a time
  for (auto _ : state) {
    media::WebmSegmenter segmenter;
    for (std::size_t at = 0; at < file.size(); at += kSlice)
      segmenter.push(ByteView(file).subspan(at, std::min(kSlice, file.size() - at)));
    segmenter.finish();
    benchmark::DoNotOptimize(segmenter.take_events());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * file.size()));
}
BENCHMARK(segmenter_mb_per_s)->Unit(benchmark::kMillisecond);

void sha256_throughput(benchmark::State& state) {
  const ByteVector data = pattern(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(trust::sha256(data));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(sha256_throughput)->Arg(1 << 20)->Arg(16 << 10);

void merkle_root_1mib(benchmark::State& state) {
  const ByteVector chunk = pattern(1 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(trust::merkle_root(trust::piece_hashes(chunk)));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(merkle_root_1mib)->Unit(benchmark::kMicrosecond);

void ed25519_sign(benchmark::State& state) {
  const trust::KeyPair keys = bench_keys();
  const ByteVector message = pattern(117);  // a header's signed bytes
  for (auto _ : state) benchmark::DoNotOptimize(trust::sign_detached(keys.secret_key, message));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ed25519_sign)->Unit(benchmark::kMicrosecond);

void ed25519_verify(benchmark::State& state) {
  const trust::KeyPair keys = bench_keys();
  const ByteVector message = pattern(117);
  const trust::Signature signature = trust::sign_detached(keys.secret_key, message);
  for (auto _ : state) benchmark::DoNotOptimize(trust::verify_detached(keys.public_key, message, signature));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(ed25519_verify)->Unit(benchmark::kMicrosecond);

// One 16 KiB piece of a 1 MiB chunk against its signed root: what a relay does per piece.
void piece_verify(benchmark::State& state) {
  const trust::KeyPair keys = bench_keys();
  const ByteVector chunk = pattern(1 << 20);
  const auto header = trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{0}, ChunkSeq{1},
                                      TimeMs{0}, 1000, chunk);
  const auto leaves = trust::piece_hashes(chunk);
  std::vector<std::vector<trust::Digest>> proofs;
  for (std::uint32_t i = 0; i < leaves.size(); ++i) proofs.push_back(trust::merkle_proof(leaves, PieceIndex{i}));
  std::uint32_t index = 0;
  for (auto _ : state) {
    const auto piece = trust::piece_of(chunk, PieceIndex{index});
    benchmark::DoNotOptimize(trust::verify_piece(header.value(), PieceIndex{index}, piece, proofs[index]));
    index = (index + 1) % static_cast<std::uint32_t>(leaves.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(piece_verify)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace swarmcast

BENCHMARK_MAIN();
