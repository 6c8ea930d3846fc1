// The simulator's engines run on several threads and share memoized checks, so each
// call takes a lock. The answers are the direct checks' answers whatever order the
// threads come in; only which engine pays for the first check of a piece varies.
#pragma once

#include <algorithm>
#include <array>
#include <mutex>

#include "swarm/verifier.hpp"

namespace swarmcast::sim {

class LockedVerifier : public swarm::Verifier {
 public:
  // Every delivery of a piece comes here. Only a map is locked, one of several picked
  // by the digest, so that threads rarely wait on each other (one lock for all was most
  // of a 2-thread run's time in the kernel); comparing the piece with the one stored
  // and hashing a new one (the first of each) run unlocked.
  swarm::PieceBytes piece(const trust::Digest& expected, ByteView piece) override {
    PieceShard& shard = pieces_[expected[0] % pieces_.size()];
    swarm::PieceBytes kept;
    {
      std::lock_guard lock(shard.mutex);
      kept = shard.memo.stored(expected);
    }
    if (kept && std::equal(kept->begin(), kept->end(), piece.begin(), piece.end())) return kept;
    swarm::PieceBytes checked = direct_.piece(expected, piece);
    if (!checked) return nullptr;
    std::lock_guard lock(shard.mutex);
    return shard.memo.store(expected, std::move(checked));
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
  struct PieceShard {
    std::mutex mutex;
    swarm::MemoizingVerifier memo;  // its pieces only
  };
  std::array<PieceShard, 16> pieces_;
  std::mutex mutex_;
  swarm::MemoizingVerifier memo_;  // hash lists and headers
  swarm::Verifier direct_;
};

}  // namespace swarmcast::sim
