#include "swarm/piece_availability.hpp"

namespace swarmcast::swarm {

// Piece indices above this are refused: no chunk has more pieces (wire limit).
constexpr std::uint32_t kMaxPieceIndex = 1024;

void PieceAvailability::set_piece(ChunkSeq seq, PieceIndex index) {
  if (index.value >= kMaxPieceIndex) return;
  Chunk& chunk = chunks_[seq];
  if (chunk.complete) return;
  if (chunk.pieces.size() <= index.value) chunk.pieces.resize(index.value + 1, false);
  chunk.pieces[index.value] = true;
}

bool PieceAvailability::has(ChunkSeq seq, PieceIndex index) const {
  const Chunk* c = chunk(seq);
  return c && c->has(index.value);
}

const PieceAvailability::Chunk* PieceAvailability::chunk(ChunkSeq seq) const {
  auto it = chunks_.find(seq);
  return it == chunks_.end() ? nullptr : &it->second;
}

}  // namespace swarmcast::swarm
