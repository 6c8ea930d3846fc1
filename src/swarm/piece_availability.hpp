// What one remote peer has told us it holds: whole chunks (Have) and single pieces
// (piece adverts from cut-through relays and super-seeded pieces).
#pragma once

#include <cstdint>
#include <vector>

#include "core/flat_map.hpp"
#include "core/strong_types.hpp"

namespace swarmcast::swarm {

class PieceAvailability {
 public:
  // Looked up for every peer on every tick, so kept small: the pieces of a chunk of up
  // to 64 (1 MiB) fit in one word beside its flag, with no allocation of their own.
  class Chunk {
   public:
    bool complete = false;
    bool has(std::uint32_t index) const {
      if (complete) return true;
      if (index < 64) return (first_pieces_ >> index) & 1u;
      const std::size_t word = index / 64 - 1;
      return word < more_pieces_.size() && (more_pieces_[word] >> (index % 64)) & 1u;
    }

   private:
    friend class PieceAvailability;
    void set(std::uint32_t index);

    std::uint64_t first_pieces_ = 0;           // bit i: piece i (meaningful while !complete)
    std::vector<std::uint64_t> more_pieces_;  // pieces 64 and up, 64 to a word
  };

  void set_complete(ChunkId id) { chunks_[id].complete = true; }
  void set_piece(ChunkId id, PieceIndex index) { set_pieces(id, index, 1); }
  // Pieces first .. first + count - 1, as a HaveRange advertises them.
  void set_pieces(ChunkId id, PieceIndex first, std::uint32_t count);
  bool has(ChunkId id, PieceIndex index) const;
  const Chunk* chunk(ChunkId id) const;
  // Every rendition's chunks before `seq`.
  void forget_before(ChunkSeq seq) { chunks_.erase(chunks_.begin(), chunks_.lower_bound(ChunkId{seq, RenditionId{0}})); }

 private:
  FlatMap<ChunkId, Chunk> chunks_;
};

}  // namespace swarmcast::swarm
