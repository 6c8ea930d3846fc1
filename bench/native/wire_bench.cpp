// Wire decode speed per message kind, in messages/s and MB/s: every byte a peer sends
// goes through wire::decode first. The same source runs natively and as wasm.
#include <benchmark/benchmark.h>

#include "trust/merkle.hpp"
#include "wire/codec.hpp"

namespace swarmcast::wire {
namespace {

ByteVector pattern(std::size_t n) {
  ByteVector out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Byte>((i * 2654435761u) >> 13);
  return out;
}

void decode_message(benchmark::State& state, const Message& message) {
  const ByteVector bytes = encode(message);
  for (auto _ : state) {
    auto decoded = decode(bytes);
    if (!decoded) return state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(decoded);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes.size()));
}

void decode_piece(benchmark::State& state) {
  decode_message(state, Piece{ChunkId{ChunkSeq{1234}}, PieceIndex{7}, pattern(trust::kPieceSize)});
}
BENCHMARK(decode_piece);

void decode_have_range(benchmark::State& state) {
  decode_message(state, HaveRange{ChunkId{ChunkSeq{1234}}, PieceIndex{16}, 8});
}
BENCHMARK(decode_have_range);

void decode_request(benchmark::State& state) {
  decode_message(state, Request{ChunkId{ChunkSeq{1234}}, PieceIndex{3}, 4});
}
BENCHMARK(decode_request);

// A 1 MiB chunk's header: the signed part and 64 piece hashes (~2.2 KB).
void decode_chunk_header(benchmark::State& state) {
  ChunkHeader header;
  header.signed_header = pattern(trust::kSignedHeaderSize);
  const ByteVector hashes = pattern(64 * 32 + 13);
  for (std::size_t i = 0; i < 64; ++i)
    std::copy_n(hashes.begin() + static_cast<std::ptrdiff_t>(i * 32 + 13), 32, header.piece_hashes.emplace_back().begin());
  decode_message(state, header);
}
BENCHMARK(decode_chunk_header);

void decode_handshake(benchmark::State& state) {
  Handshake hello;
  hello.stream_key.fill(0x5a);
  hello.peer_id = swarm::PeerId{0x1122334455667788};
  hello.role = swarm::Role::kRelay;
  hello.can_upload = true;
  hello.upload_budget_bytes_per_s = 250'000;
  decode_message(state, hello);
}
BENCHMARK(decode_handshake);

}  // namespace
}  // namespace swarmcast::wire
