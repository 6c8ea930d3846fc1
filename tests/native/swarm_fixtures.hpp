// Helpers for swarm tests: signed chunks of a test stream, built in one line.
#pragma once

#include "swarm/chunk_buffer.hpp"
#include "trust/keys.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::test {

struct TestChunk {
  trust::ChunkHeader header;
  std::vector<trust::Digest> hashes;
  ByteVector payload;

  ByteView piece(std::uint32_t i) const { return trust::piece_of(payload, PieceIndex{i}); }
};

// Chunk `seq` of a 1-chunk-per-second test stream, `bytes` long.
inline TestChunk test_chunk(std::uint64_t seq, std::size_t bytes = 50'000) {
  static const trust::KeyPair keys = [] {
    trust::Seed seed;
    seed.bytes.fill(3);
    return trust::keypair_from_seed(seed);
  }();
  TestChunk c;
  c.payload.resize(bytes);
  for (std::size_t i = 0; i < bytes; ++i) c.payload[i] = static_cast<Byte>(((i * 2654435761ull) >> 15) ^ (seq * 17));
  c.header = trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{0}, ChunkSeq{seq},
                             TimeMs{static_cast<std::int64_t>(seq) * 1000}, 1000, c.payload)
                 .value();
  c.hashes = trust::piece_hashes(c.payload);
  return c;
}

}  // namespace swarmcast::test
