// A synthetic signed stream for the engine's tests, benchmarks and the simulator:
// keys from a one-byte seed (each user its own stream), deterministic media bytes that
// differ per chunk, and signed headers over them. Header-only, so the native and wasm
// test binaries, the benchmarks and tools/sim share it without a library.
#pragma once

#include <cstdint>
#include <map>

#include "core/bytes.hpp"
#include "swarm/engine.hpp"
#include "swarm/upload_policy.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::synthetic {

// Single-threaded users only: the keys are made once per seed byte and kept.
inline const trust::KeyPair& keys(Byte fill) {
  static std::map<Byte, trust::KeyPair> made;
  auto it = made.find(fill);
  if (it == made.end()) {
    trust::Seed seed;
    seed.bytes.fill(fill);
    it = made.emplace(fill, trust::keypair_from_seed(seed)).first;
  }
  return it->second;
}

inline ByteVector media(std::uint64_t seq, std::size_t bytes) {
  ByteVector out(bytes);
  for (std::size_t i = 0; i < bytes; ++i) out[i] = static_cast<Byte>(((i * 2654435761ull) >> 13) ^ seq);
  return out;
}

// keyframe: whether the chunk's first video frame is one (a player can start with it).
inline ByteVector signed_header(const trust::KeyPair& keys, trust::HeaderKind kind, std::uint64_t seq, TimeMs capture,
                                std::uint32_t duration_ms, ByteView payload, bool keyframe = true,
                                RenditionId rendition = RenditionId{0}) {
  const auto h =
      trust::describe(kind, keys.public_key, Epoch{0}, ChunkSeq{seq}, capture, duration_ms, payload, keyframe, rendition);
  return trust::encode(trust::sign_header(h.value(), keys.secret_key));
}

// An engine of the stream `keys` signs, with its invariants checked after every call (the
// tests want every slip caught where it happens); a broadcaster feeds its peers by score,
// as the product's does.
inline swarm::EngineConfig engine_config(const trust::KeyPair& keys, swarm::PeerId self, bool broadcaster) {
  swarm::EngineConfig config;
  config.self = self;
  config.broadcaster = broadcaster;
  config.stream = keys.public_key;
  config.check_invariants = true;
  if (broadcaster) config.upload = swarm::broadcaster_upload_config();
  return config;
}

}  // namespace swarmcast::synthetic
