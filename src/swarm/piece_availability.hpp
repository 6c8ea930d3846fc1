// What one remote peer has told us it holds: whole chunks (Have) and single pieces
// (piece adverts from cut-through relays and super-seeded pieces).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "core/strong_types.hpp"

namespace swarmcast::swarm {

class PieceAvailability {
 public:
  struct Chunk {
    bool complete = false;
    std::vector<bool> pieces;  // meaningful while !complete
    bool has(std::uint32_t index) const { return complete || (index < pieces.size() && pieces[index]); }
    // Whole, by a Have bitmap or by piece adverts covering all `piece_count` pieces.
    bool holds_all(std::uint32_t piece_count) const {
      if (complete) return true;
      if (pieces.size() < piece_count) return false;
      for (std::uint32_t i = 0; i < piece_count; ++i)
        if (!pieces[i]) return false;
      return true;
    }
  };

  void set_complete(ChunkSeq seq) { chunks_[seq].complete = true; }
  void set_piece(ChunkSeq seq, PieceIndex index);
  bool has(ChunkSeq seq, PieceIndex index) const;
  const Chunk* chunk(ChunkSeq seq) const;
  void forget_before(ChunkSeq seq) { chunks_.erase(chunks_.begin(), chunks_.lower_bound(seq)); }
  std::size_t chunk_count() const { return chunks_.size(); }

 private:
  std::map<ChunkSeq, Chunk> chunks_;
};

}  // namespace swarmcast::swarm
