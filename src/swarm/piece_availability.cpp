#include "swarm/piece_availability.hpp"

#include <algorithm>

namespace swarmcast::swarm {

// Piece indices from this one on are refused: no chunk has more pieces (wire limit).
constexpr std::uint32_t kMaxPieceIndex = 1024;

void PieceAvailability::Chunk::set(std::uint32_t index) {
  if (index < 64) {
    first_pieces_ |= std::uint64_t{1} << index;
    return;
  }
  const std::size_t word = index / 64 - 1;
  if (more_pieces_.size() <= word) more_pieces_.resize(word + 1, 0);
  more_pieces_[word] |= std::uint64_t{1} << (index % 64);
}

void PieceAvailability::set_pieces(ChunkId id, PieceIndex first, std::uint32_t count) {
  if (count == 0 || first.value >= kMaxPieceIndex) return;
  auto known = chunks_.find_consecutive(id);
  Chunk& chunk = known != chunks_.end() ? known->second : chunks_[id];
  if (chunk.complete) return;
  const std::uint32_t end = std::min(kMaxPieceIndex, first.value + std::min(count, kMaxPieceIndex));
  for (std::uint32_t i = first.value; i < end; ++i) chunk.set(i);
}

bool PieceAvailability::has(ChunkId id, PieceIndex index) const {
  const Chunk* c = chunk(id);
  return c && c->has(index.value);
}

const PieceAvailability::Chunk* PieceAvailability::chunk(ChunkId id) const {
  auto it = chunks_.find_consecutive(id);
  return it == chunks_.end() ? nullptr : &it->second;
}

}  // namespace swarmcast::swarm
