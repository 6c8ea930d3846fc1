#include "swarm/chunk_buffer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace swarmcast::swarm {
namespace {

[[noreturn]] void invariant_failed(const char* what) {
  std::fprintf(stderr, "ChunkBuffer invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

ByteVector ChunkEntry::data() const {
  ByteVector out;
  out.reserve(header.byte_length);
  for (const PieceBytes& piece : pieces)
    if (piece) out.insert(out.end(), piece->begin(), piece->end());
  return out;
}

ChunkBuffer::ChunkBuffer(BufferConfig config, std::shared_ptr<Verifier> verifier)
    : config_(config), verifier_(verifier ? std::move(verifier) : std::make_shared<Verifier>()) {}

HeaderOutcome ChunkBuffer::add_header(const trust::ChunkHeader& header, std::vector<trust::Digest> piece_hashes,
                                      TimeMs now, const trust::RenditionLadder* ladder) {
  const ChunkId id{header.seq, header.rendition};
  if (chunks_.count(id) != 0) return HeaderOutcome::kDuplicate;
  if (piece_hashes.size() != trust::piece_count(header.byte_length) || piece_hashes.empty() ||
      !verifier_->hash_list(piece_hashes, header.merkle_root))
    return HeaderOutcome::kBadHashes;
  const auto edge = live_edge();
  if (edge && header.seq < *edge) {
    const auto& newest = chunks_.rbegin()->second.header;
    if (newest.capture_time.value - header.capture_time.value > std::int64_t{config_.window_ms})
      return HeaderOutcome::kOutOfWindow;
  }
  if (header.byte_length > config_.memory_cap_bytes) return HeaderOutcome::kOverMemoryCap;
  if (ladder) {
    for (auto it = chunks_.lower_bound({header.seq, RenditionId{0}}); it != chunks_.end() && it->first.seq == header.seq; ++it)
      if (!trust::aligned(header, it->second.header, *ladder)) return HeaderOutcome::kMisaligned;
  }

  ChunkEntry entry;
  entry.header = header;
  entry.piece_hashes = std::move(piece_hashes);
  entry.pieces.resize(entry.piece_hashes.size());
  entry.have.assign(entry.piece_hashes.size(), false);
  entry.header_at = now;
  memory_bytes_ += header.byte_length;
  chunks_.try_emplace(id, std::move(entry));
  changed_ = true;
  header_since_evict_ = true;
  return HeaderOutcome::kAccepted;
}

PieceOutcome ChunkBuffer::add_piece(ChunkId id, PieceIndex index, ByteView piece) {
  auto it = chunks_.find_consecutive(id);
  if (it == chunks_.end()) return PieceOutcome::kUnknownChunk;
  ChunkEntry& entry = it->second;
  if (index.value >= entry.piece_count()) return PieceOutcome::kBadPiece;
  if (piece.size() != trust::piece_length(entry.header.byte_length, index)) return PieceOutcome::kBadPiece;
  if (entry.have[index.value]) {
    // Bytes other than the verified ones held cannot hash to the same digest, so a
    // comparison tells a corrupt copy from a harmless race, and no copy goes unjudged.
    const PieceBytes& held = entry.pieces[index.value];
    return std::equal(held->begin(), held->end(), piece.begin(), piece.end()) ? PieceOutcome::kDuplicate
                                                                             : PieceOutcome::kBadPiece;
  }
  PieceBytes kept = verifier_->piece(entry.piece_hashes[index.value], piece);
  if (!kept) return PieceOutcome::kBadPiece;
  entry.pieces[index.value] = std::move(kept);
  entry.have[index.value] = true;
  ++entry.pieces_have;
  entry.unchecked = true;
  changed_ = true;
  return PieceOutcome::kAccepted;
}

const ChunkEntry* ChunkBuffer::find(ChunkId id) const {
  auto it = chunks_.find_consecutive(id);
  return it == chunks_.end() ? nullptr : &it->second;
}

bool ChunkBuffer::has_piece(ChunkId id, PieceIndex index) const {
  const ChunkEntry* entry = find(id);
  return entry && index.value < entry->piece_count() && entry->have[index.value];
}

bool ChunkBuffer::complete(ChunkId id) const {
  const ChunkEntry* entry = find(id);
  return entry && entry->complete();
}

ByteView ChunkBuffer::piece(ChunkId id, PieceIndex index) const {
  if (!has_piece(id, index)) return {};
  return *find(id)->pieces[index.value];
}

std::optional<ChunkSeq> ChunkBuffer::live_edge() const {
  if (chunks_.empty()) return std::nullopt;
  return chunks_.rbegin()->first.seq;
}

std::optional<ChunkSeq> ChunkBuffer::oldest() const {
  if (chunks_.empty()) return std::nullopt;
  return chunks_.begin()->first.seq;
}

FlatMap<ChunkId, ChunkEntry>::iterator ChunkBuffer::erase(FlatMap<ChunkId, ChunkEntry>::const_iterator it) {
  memory_bytes_ -= it->second.header.byte_length;
  changed_ = true;
  return chunks_.erase(it);
}

void ChunkBuffer::erase_oldest() { erase(chunks_.begin()); }

void ChunkBuffer::evict(std::optional<ChunkSeq> keep_from, std::span<const RenditionId> keep) {
  std::uint8_t kept = 0;  // bit r: rendition r is kept (ids are below trust::kMaxRenditions)
  for (RenditionId r : keep) kept = static_cast<std::uint8_t>(kept | 1u << r.value);
  // What the last call left is still within the window and the cap, with the same
  // chunks to keep, until a header arrives (a newer live edge, more memory held).
  if (!header_since_evict_ && keep_from == evicted_keeping_ && kept == evicted_renditions_) return;
  header_since_evict_ = false;
  evicted_keeping_ = keep_from;
  evicted_renditions_ = kept;
  if (chunks_.empty()) return;
  const std::int64_t newest = chunks_.rbegin()->second.header.capture_time.value;
  while (!chunks_.empty() &&
         newest - chunks_.begin()->second.header.capture_time.value > std::int64_t{config_.window_ms})
    erase_oldest();
  for (auto it = chunks_.begin(); kept != 0 && memory_bytes_ > config_.memory_cap_bytes && it != chunks_.end();) {
    if ((kept >> it->first.rendition.value) & 1u) ++it;
    else it = erase(it);
  }
  while (memory_bytes_ > config_.memory_cap_bytes && chunks_.size() > 1 &&
         (!keep_from || chunks_.begin()->first.seq < *keep_from))
    erase_oldest();
}

void ChunkBuffer::check_entry(const ChunkEntry& entry) const {
  if (entry.pieces.size() != entry.piece_hashes.size()) invariant_failed("piece slots");
  if (entry.have.size() != entry.piece_hashes.size()) invariant_failed("have bitmap size");
  std::uint32_t have = 0;
  for (std::uint32_t i = 0; i < entry.piece_count(); ++i) {
    if (entry.have[i] != (entry.pieces[i] != nullptr)) invariant_failed("have bitmap out of step with the pieces");
    if (entry.pieces[i] && entry.pieces[i]->size() != trust::piece_length(entry.header.byte_length, PieceIndex{i}))
      invariant_failed("piece of the wrong length");
    have += entry.have[i] ? 1u : 0u;
  }
  if (have != entry.pieces_have) invariant_failed("pieces_have out of step with the bitmap");
}

void ChunkBuffer::check_invariants() {
  if (!changed_) return;
  changed_ = false;
  std::uint64_t bytes = 0;
  std::optional<ChunkId> previous;
  for (auto& [id, entry] : chunks_) {
    if (id != ChunkId{entry.header.seq, entry.header.rendition}) invariant_failed("entry keyed by another chunk");
    if (previous && !(*previous < id)) invariant_failed("entries out of order");
    previous = id;
    bytes += entry.header.byte_length;
    if (entry.unchecked) check_entry(entry);
    entry.unchecked = false;
  }
  if (bytes != memory_bytes_) invariant_failed("memory accounting");
}

}  // namespace swarmcast::swarm
