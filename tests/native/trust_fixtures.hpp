// Helpers for trust tests: hex and text literals, deterministic chunks, a fixed stream key.
#pragma once

#include <algorithm>
#include <initializer_list>
#include <string>
#include <string_view>

#include "trust/keys.hpp"
#include "trust/merkle.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::test {

inline ByteVector hex(std::string_view text) { return trust::from_hex(text).value(); }

inline ByteVector text(std::string_view ascii) { return ByteVector(ascii.begin(), ascii.end()); }

inline trust::Digest digest(std::string_view hex_text) {
  const ByteVector bytes = hex(hex_text);
  trust::Digest out{};
  std::copy(bytes.begin(), bytes.end(), out.begin());
  return out;
}

inline ByteVector concat(std::initializer_list<ByteView> parts) {
  ByteVector out;
  for (ByteView part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// Deterministic bytes that differ from piece to piece (no period of 16 KiB).
inline ByteVector chunk_of(std::size_t bytes, unsigned salt = 0) {
  ByteVector out(bytes);
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<Byte>((i * 31 + salt * 7 + (i >> 8)) & 0xFF);
  return out;
}

// n distinct leaf hashes, as if of n small pieces.
inline std::vector<trust::Digest> leaves_of(std::size_t n) {
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
