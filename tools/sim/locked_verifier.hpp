// The simulator's engines run on several threads and share one MemoizingVerifier, so
// each call takes a lock. The answers are the direct checks' answers whatever order
// the threads come in; only which engine pays for the first check of a piece varies.
#pragma once

#include <mutex>

#include "swarm/verifier.hpp"

namespace swarmcast::sim {

class LockedVerifier : public swarm::Verifier {
 public:
  swarm::PieceBytes piece(const trust::Digest& expected, ByteView piece) override {
    std::lock_guard lock(mutex_);
    return memo_.piece(expected, piece);
  }
  bool hash_list(std::span<const trust::Digest> hashes, const trust::Digest& root) override {
    std::lock_guard lock(mutex_);
    return memo_.hash_list(hashes, root);
  }
  Result<trust::ChunkHeader, trust::TrustError> signed_header(ByteView bytes, const trust::PublicKey& stream) override {
    std::lock_guard lock(mutex_);
    return memo_.signed_header(bytes, stream);
  }

 private:
  std::mutex mutex_;
  swarm::MemoizingVerifier memo_;
};

}  // namespace swarmcast::sim
