// The buffer manager: the live window of chunks, each held by piece. A chunk's signed
// header (already signature-checked by the caller) arrives with its piece-hash list;
// the list is checked against the signed Merkle root once, so afterwards each piece is
// verified alone with one SHA-256, and verified pieces can be served before the chunk
// is complete (cut-through). Pieces are kept as the verifier hands them back: shared
// and immutable, so engines in one process that hold the same piece keep one copy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/flat_map.hpp"
#include "core/result.hpp"
#include "swarm/verifier.hpp"
#include "trust/rendition_ladder.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::swarm {

struct BufferConfig {
  std::uint32_t window_ms = 10'000;         // how far behind the live edge chunks are kept
  std::uint64_t memory_cap_bytes = 32u << 20;
};

enum class PieceOutcome {
  kAccepted,      // verified and stored
  kDuplicate,     // already had these bytes (not an offence: requests race)
  kUnknownChunk,  // no header yet, or the chunk left the window
  kBadPiece,      // wrong length or hash, or other bytes than the copy held: the sender is at fault
};

// kMisaligned: another rendition's chunk of the same seq covers another moment
// (trust::aligned); the broadcaster never cuts so, so the header is as forged.
enum class HeaderOutcome { kAccepted, kDuplicate, kBadHashes, kOutOfWindow, kOverMemoryCap, kMisaligned };

struct ChunkEntry {
  trust::ChunkHeader header;
  std::vector<trust::Digest> piece_hashes;
  std::vector<PieceBytes> pieces;  // per piece; null until verified
  std::vector<bool> have;          // per piece: pieces[i] is set
  std::uint32_t pieces_have = 0;
  TimeMs header_at{0};
  bool unchecked = true;  // changed since ChunkBuffer::check_invariants last walked its pieces

  std::uint32_t piece_count() const { return static_cast<std::uint32_t>(piece_hashes.size()); }
  bool complete() const { return pieces_have == piece_count(); }
  // The chunk's bytes, joined from its pieces: for the player, once complete.
  ByteVector data() const;
};

class ChunkBuffer {
 public:
  // Null: the direct checks (Verifier).
  explicit ChunkBuffer(BufferConfig config = {}, std::shared_ptr<Verifier> verifier = nullptr);

  // `ladder`: the stream's list, to judge alignment with the other renditions' chunks
  // of the same seq by (null: a stream of one rendition, nothing to judge).
  HeaderOutcome add_header(const trust::ChunkHeader& header, std::vector<trust::Digest> piece_hashes, TimeMs now,
                           const trust::RenditionLadder* ladder = nullptr);
  PieceOutcome add_piece(ChunkId id, PieceIndex index, ByteView piece);

  const ChunkEntry* find(ChunkId id) const;
  bool has_piece(ChunkId id, PieceIndex index) const;
  bool complete(ChunkId id) const;
  // Empty when the piece is not held.
  ByteView piece(ChunkId id, PieceIndex index) const;

  // Moments, whatever the rendition: the seq of the newest and the oldest chunk held.
  std::optional<ChunkSeq> live_edge() const;
  std::optional<ChunkSeq> oldest() const;
  const FlatMap<ChunkId, ChunkEntry>& chunks() const { return chunks_; }
  std::uint64_t memory_bytes() const { return memory_bytes_; }

  // Drops chunks older than the window behind the live edge, and the oldest ones while
  // over the memory cap: first those of renditions not in `keep` (the one played and
  // the one a switch is planned to), then any; never a chunk at or after `keep_from`
  // (the playhead) unless the window itself has passed it.
  void evict(std::optional<ChunkSeq> keep_from, std::span<const RenditionId> keep = {});

  // Also the engine's check of signed headers, so that one seam covers every check.
  Verifier& verifier() { return *verifier_; }

  // Aborts with a message if an invariant is broken (debug and simulator builds).
  // Walks the pieces only of the chunks changed since the last call (walking every
  // held piece after every tick was 14 % of a 1000-viewer simulation): the pieces of
  // an entry that nothing changed are as they were when last checked.
  void check_invariants();

 private:
  void erase_oldest();
  FlatMap<ChunkId, ChunkEntry>::iterator erase(FlatMap<ChunkId, ChunkEntry>::const_iterator it);
  void check_entry(const ChunkEntry& entry) const;

  BufferConfig config_;
  std::shared_ptr<Verifier> verifier_;
  FlatMap<ChunkId, ChunkEntry> chunks_;
  std::uint64_t memory_bytes_ = 0;
  bool changed_ = false;  // since the last check_invariants
  bool header_since_evict_ = false;
  std::optional<ChunkSeq> evicted_keeping_;  // the last evict's keep_from
  std::uint8_t evicted_renditions_ = 0;      // and its keep, bit r for rendition r
};

}  // namespace swarmcast::swarm
