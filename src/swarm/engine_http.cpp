// The HTTP fallback: what a viewer fetches from the origin when no peer can meet a
// deadline, and how what the origin sends is taken in. The engine only decides; the
// transport does the GETs (take_http_fetches) and hands back what arrived.
#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"
#include "trust/merkle.hpp"

namespace swarmcast::swarm {

void Engine::ask_http(HttpFetch fetch, TimeMs now) {
  if (!http_asked_.emplace(fetch, now).second) return;
  http_fetches_.push_back(fetch);
}

// Besides the chunks pick_requests gives up on (their header known, no holder), three
// things only the origin may have for a viewer whose peers are missing or slow: the
// live edge itself, an init segment, and the next chunk's header.
void Engine::plan_http_fetches(TimeMs now) {
  if (!first_tick_) {
    first_tick_ = now;
    // A viewer that no peer ever reaches has joined when it starts ticking.
    if (peers_.empty() && !playback_.started()) playback_.join(now);
  }
  std::erase_if(http_asked_, [&](const auto& asked) {
    return now.value - asked.second.value >= std::int64_t{config_.http_retry_ms};
  });
  if (!live_edge_offset_) {
    if (now.value - first_tick_->value >= std::int64_t{config_.http_bootstrap_ms}) ask_http({HttpFetchKind::kIndex, 0, RenditionId{0}}, now);
    return;
  }
  const RenditionId rendition = playhead_ ? rendition_at(*playhead_) : playing_;
  if (playhead_) {
    const ChunkEntry* entry = buffer_.find({*playhead_, rendition});
    if (entry && inits_.count({entry->header.epoch, rendition}) == 0)
      ask_http({HttpFetchKind::kInit, entry->header.epoch.value, rendition}, now);
  } else if (!playback_.started() && !buffer_.chunks().empty() && buffer_.chunks().begin()->first.seq.value > 0) {
    // None of the chunks heard of starts at a keyframe, so no player can start on one:
    // walk back towards the last keyframe, a chunk at a time.
    ask_http({HttpFetchKind::kChunk, buffer_.chunks().begin()->first.seq.value - 1, rendition}, now);
  }
  // The chunk after the newest one heard of, due at the end of that one's capture: if
  // no peer has announced it by the time its deadline is close, nobody will in time.
  if (buffer_.chunks().empty()) return;
  const auto& [newest_id, newest] = *buffer_.chunks().rbegin();
  const TimeMs capture{newest.header.capture_time.value + std::int64_t{newest.header.duration_ms}};
  std::optional<TimeMs> deadline;
  if (playback_.started()) {
    deadline = playback_.deadline(capture);
  } else if (const ChunkEntry* start = playhead_ ? buffer_.find({*playhead_, rendition}) : nullptr) {
    deadline = TimeMs{now.value + capture.value - start->header.capture_time.value};  // as in schedule_requests
  }
  if (deadline && deadline->value - now.value < std::int64_t{config_.scheduler.http_fallback_margin_ms})
    ask_http({HttpFetchKind::kChunk, newest_id.seq.value + 1, rendition}, now);
}

void Engine::on_http_index(std::span<const ChunkSeq> chunks, TimeMs now) {
  if (live_edge_offset_ || chunks.empty()) return;
  // The rendition to start in, chosen now rather than at the next tick: a viewer no peer
  // reaches has just been handed the stream's list with this index, and would otherwise
  // ask for the live edge in a rendition it is about to leave, then never hear of the
  // one it chose.
  choose_rendition_now(now);
  // The newest chunk may be younger than the target latency; a joining viewer usually
  // starts in the one before it.
  for (std::size_t i = chunks.size() > 1 ? chunks.size() - 2 : 0; i < chunks.size(); ++i)
    ask_http({HttpFetchKind::kChunk, chunks[i].value, playing_}, now);
}

bool Engine::on_http_chunk(ByteView signed_header, ByteView payload, TimeMs now) {
  auto checked = buffer_.verifier().signed_header(signed_header, config_.stream);
  if (!checked || standing(checked.value()) != trust::RenditionStanding::kListed ||
      !trust::verify_payload(checked.value(), payload))
    return false;
  const trust::ChunkHeader& header = checked.value();
  if (header.kind == trust::HeaderKind::kInit) {
    inits_.try_emplace({header.epoch, header.rendition}, InitEntry{ByteVector(signed_header.begin(), signed_header.end()),
                                               ByteVector(payload.begin(), payload.end()), header.capture_time});
    return true;
  }
  // A second, differently signed version of a chunk we hold a header for is refused:
  // its pieces would not match the hashes kept.
  const ChunkId id{header.seq, header.rendition};
  if (const ChunkEntry* held = buffer_.find(id); held && held->header.merkle_root != header.merkle_root)
    return false;
  if (!accept_header(signed_header, trust::piece_hashes(payload), now)) return false;
  const std::uint32_t count = trust::piece_count(payload.size());
  std::vector<std::uint32_t>& fresh = fresh_pieces_[id];
  for (std::uint32_t p = 0; p < count; ++p) {
    const ByteView piece = trust::piece_of(payload, PieceIndex{p});
    switch (buffer_.add_piece(id, PieceIndex{p}, piece)) {
      case PieceOutcome::kAccepted:
        stats_.media_bytes_received += piece.size();
        stats_.media_bytes_from_http += piece.size();
        fresh.push_back(p);
        break;
      case PieceOutcome::kDuplicate:
        stats_.duplicate_bytes_received += piece.size();
        break;
      case PieceOutcome::kUnknownChunk:  // out of the window or over the memory cap
      case PieceOutcome::kBadPiece:      // cannot happen: the payload matched the signed root
        break;
    }
  }
  if (fresh.empty()) fresh_pieces_.erase(id);
  return true;
}

}  // namespace swarmcast::swarm
