#include "swarm/chunk_buffer.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace swarmcast::swarm {
namespace {

std::uint64_t piece_offset(PieceIndex index) { return std::uint64_t{index.value} * trust::kPieceSize; }

[[noreturn]] void invariant_failed(const char* what) {
  std::fprintf(stderr, "ChunkBuffer invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

HeaderOutcome ChunkBuffer::add_header(const trust::ChunkHeader& header, std::vector<trust::Digest> piece_hashes,
                                      TimeMs now) {
  if (chunks_.count(header.seq) != 0) return HeaderOutcome::kDuplicate;
  if (piece_hashes.size() != trust::piece_count(header.byte_length) || piece_hashes.empty() ||
      trust::merkle_root(piece_hashes) != header.merkle_root)
    return HeaderOutcome::kBadHashes;
  const auto edge = live_edge();
  if (edge && header.seq < *edge) {
    const auto& newest = chunks_.rbegin()->second.header;
    if (newest.capture_time.value - header.capture_time.value > std::int64_t{config_.window_ms})
      return HeaderOutcome::kOutOfWindow;
  }
  if (header.byte_length > config_.memory_cap_bytes) return HeaderOutcome::kOverMemoryCap;

  ChunkEntry entry;
  entry.header = header;
  entry.piece_hashes = std::move(piece_hashes);
  entry.data.assign(header.byte_length, 0);
  entry.have.assign(entry.piece_hashes.size(), false);
  entry.header_at = now;
  memory_bytes_ += header.byte_length;
  chunks_.emplace(header.seq, std::move(entry));
  return HeaderOutcome::kAccepted;
}

PieceOutcome ChunkBuffer::add_piece(ChunkSeq seq, PieceIndex index, ByteView piece) {
  auto it = chunks_.find(seq);
  if (it == chunks_.end()) return PieceOutcome::kUnknownChunk;
  ChunkEntry& entry = it->second;
  if (index.value >= entry.piece_count()) return PieceOutcome::kBadPiece;
  if (entry.have[index.value]) return PieceOutcome::kDuplicate;
  const std::uint64_t offset = piece_offset(index);
  const std::uint64_t expected = std::min<std::uint64_t>(trust::kPieceSize, entry.header.byte_length - offset);
  if (piece.size() != expected || trust::leaf_hash(piece) != entry.piece_hashes[index.value])
    return PieceOutcome::kBadPiece;
  std::memcpy(entry.data.data() + offset, piece.data(), piece.size());
  entry.have[index.value] = true;
  ++entry.pieces_have;
  return PieceOutcome::kAccepted;
}

const ChunkEntry* ChunkBuffer::find(ChunkSeq seq) const {
  auto it = chunks_.find(seq);
  return it == chunks_.end() ? nullptr : &it->second;
}

bool ChunkBuffer::has_piece(ChunkSeq seq, PieceIndex index) const {
  const ChunkEntry* entry = find(seq);
  return entry && index.value < entry->piece_count() && entry->have[index.value];
}

bool ChunkBuffer::complete(ChunkSeq seq) const {
  const ChunkEntry* entry = find(seq);
  return entry && entry->complete();
}

ByteView ChunkBuffer::piece(ChunkSeq seq, PieceIndex index) const {
  if (!has_piece(seq, index)) return {};
  const ChunkEntry& entry = *find(seq);
  const std::uint64_t offset = piece_offset(index);
  return ByteView(entry.data).subspan(offset, std::min<std::uint64_t>(trust::kPieceSize, entry.data.size() - offset));
}

std::optional<ChunkSeq> ChunkBuffer::live_edge() const {
  if (chunks_.empty()) return std::nullopt;
  return chunks_.rbegin()->first;
}

std::optional<ChunkSeq> ChunkBuffer::oldest() const {
  if (chunks_.empty()) return std::nullopt;
  return chunks_.begin()->first;
}

void ChunkBuffer::erase(std::map<ChunkSeq, ChunkEntry>::iterator it) {
  memory_bytes_ -= it->second.header.byte_length;
  chunks_.erase(it);
}

void ChunkBuffer::evict(std::optional<ChunkSeq> keep_from) {
  if (chunks_.empty()) return;
  const std::int64_t newest = chunks_.rbegin()->second.header.capture_time.value;
  while (!chunks_.empty() &&
         newest - chunks_.begin()->second.header.capture_time.value > std::int64_t{config_.window_ms})
    erase(chunks_.begin());
  while (memory_bytes_ > config_.memory_cap_bytes && chunks_.size() > 1 &&
         (!keep_from || chunks_.begin()->first < *keep_from))
    erase(chunks_.begin());
}

void ChunkBuffer::check_invariants() const {
  std::uint64_t bytes = 0;
  for (const auto& [seq, entry] : chunks_) {
    if (seq != entry.header.seq) invariant_failed("entry keyed by another seq");
    if (entry.data.size() != entry.header.byte_length) invariant_failed("data size differs from byte_length");
    if (entry.have.size() != entry.piece_hashes.size()) invariant_failed("have bitmap size");
    std::uint32_t have = 0;
    for (bool b : entry.have) have += b ? 1u : 0u;
    if (have != entry.pieces_have) invariant_failed("pieces_have out of step with the bitmap");
    bytes += entry.header.byte_length;
  }
  if (bytes != memory_bytes_) invariant_failed("memory accounting");
}

}  // namespace swarmcast::swarm
