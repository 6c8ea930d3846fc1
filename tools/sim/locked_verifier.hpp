// The simulator's engines run on several threads and share one MemoizingVerifier, so
// each call takes a lock. The answers are the direct checks' answers whatever order the
// threads come in; only which engine pays for the first check of a piece varies.
#pragma once

#include <algorithm>
#include <mutex>

#include "swarm/verifier.hpp"

namespace swarmcast::sim {

class LockedVerifier : public swarm::Verifier {
 public:
  // Every delivery of a piece comes here. Only the map is locked: comparing the piece
  // with the one stored and hashing a new one (the first of each) run unlocked. Both
  // under the lock were most of a 2-thread run's time in the kernel, waiting on it.
  swarm::PieceBytes piece(const trust::Digest& expected, ByteView piece) override {
    swarm::PieceBytes kept;
    {
      std::lock_guard lock(mutex_);
      kept = memo_.stored(expected);
    }
    if (kept && std::equal(kept->begin(), kept->end(), piece.begin(), piece.end())) return kept;
    swarm::PieceBytes checked = direct_.piece(expected, piece);
    if (!checked) return nullptr;
    std::lock_guard lock(mutex_);
    return memo_.store(expected, std::move(checked));
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
  swarm::Verifier direct_;
};

}  // namespace swarmcast::sim
