// Helpers for trust tests: hex literals, deterministic chunks, a fixed stream key.
#pragma once

#include <string>

#include "trust/keys.hpp"
#include "trust/merkle.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::test {

inline ByteVector hex(const std::string& text) { return trust::from_hex(text).value(); }

inline ByteVector chunk_of(std::size_t bytes, unsigned salt = 0) {
  ByteVector out(bytes);
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<Byte>((i * 31 + salt * 7 + (i >> 8)) & 0xFF);
  return out;
}

inline std::vector<trust::Digest> leaves(std::size_t n) {
  std::vector<trust::Digest> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(trust::leaf_hash(chunk_of(5, static_cast<unsigned>(i))));
  return out;
}

inline trust::KeyPair stream_key(Byte fill = 7) {
  trust::Seed seed;
  seed.bytes.fill(fill);
  return trust::keypair_from_seed(seed);
}

inline trust::ChunkHeader header_for(const trust::KeyPair& keys, ByteView payload, std::uint64_t seq = 42) {
  return trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{3}, ChunkSeq{seq},
                         TimeMs{1'700'000'000'123}, 1000, payload)
      .value();
}

}  // namespace swarmcast::test
