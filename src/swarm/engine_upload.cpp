// The engine's outward work each tick: asking, advertising, choosing whom to serve,
// serving, and keeping links alive.
#include <algorithm>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"

namespace swarmcast::swarm {
namespace {

std::uint32_t piece_size(const ChunkEntry& entry, std::uint32_t index) {
  return static_cast<std::uint32_t>(
      std::min<std::uint64_t>(trust::kPieceSize, entry.header.byte_length - std::uint64_t{index} * trust::kPieceSize));
}

}  // namespace

void Engine::schedule_requests(TimeMs now) {
  if (buffer_.chunks().empty()) return;
  std::vector<WantedChunk> wanted;
  const ChunkSeq from = playhead_.value_or(buffer_.chunks().begin()->first);
  const ChunkEntry* start = playhead_ ? buffer_.find(*playhead_) : nullptr;
  for (auto it = buffer_.chunks().lower_bound(from); it != buffer_.chunks().end(); ++it) {
    const ChunkEntry& entry = it->second;
    if (entry.complete()) continue;
    WantedChunk w;
    w.seq = it->first;
    // Before playback starts, the chunk chosen to start with is wanted at once and the
    // ones after it as if playback had started now: starting late into the first
    // chunk leaves little time for the second.
    w.deadline = playback_.started() ? playback_.deadline(entry.header.capture_time)
                 : start ? TimeMs{now.value + entry.header.capture_time.value - start->header.capture_time.value}
                         : TimeMs{now.value + 60'000};
    w.last_piece_bytes = piece_size(entry, entry.piece_count() - 1);
    for (std::uint32_t p = 0; p < entry.piece_count(); ++p) {
      const auto* outstanding = entry.have[p] ? nullptr : requests_.find(it->first, PieceIndex{p});
      PieceState state = entry.have[p] ? PieceState::kHave : PieceState::kMissing;
      PeerId asked{};
      if (outstanding && !outstanding->empty()) {
        const OutstandingRequest& r = outstanding->front();
        // Late: half its timeout (or kEndgameMs, if less) gone while the chunk's
        // deadline is close. Stalls in mesh-100 were chunks missing their last one or
        // two pieces, asked of a slow peer whose timeout outlasted the deadline.
        constexpr std::int64_t kEndgameMs = 400;
        const std::int64_t waited = now.value - r.sent_at.value;
        const bool at_risk = outstanding->size() == 1 &&
                             waited > std::min(kEndgameMs, (r.expires_at.value - r.sent_at.value) / 2) &&
                             w.deadline.value - now.value < std::int64_t{config_.scheduler.urgent_window_ms};
        state = at_risk ? PieceState::kInflightAtRisk : PieceState::kInflight;
        asked = r.peer;
      }
      w.pieces.push_back(state);
      w.asked.push_back(asked);
    }
    wanted.push_back(std::move(w));
  }
  if (wanted.empty()) return;

  std::vector<PeerCandidate> candidates;
  for (const auto& [id, peer] : peers_) {
    if (!peer->handshaken) continue;
    candidates.push_back({id, peer->choked_by_them, peer->stats.delivery_bytes_per_s, peer->stats.rtt_ms,
                          requests_.inflight_bytes(id), &peer->availability, peer->is_source});
  }
  const SchedulerDecision decision = pick_requests(wanted, candidates, now, config_.scheduler);
  for (ChunkSeq seq : decision.http_fetches) ask_http({HttpFetchKind::kChunk, seq.value}, now);
  for (const RequestAction& r : decision.requests) {
    Remote& peer = *peers_.at(r.peer);
    const ChunkEntry& entry = *buffer_.find(r.seq);
    const double rate = peer.stats.delivery_bytes_per_s > 0 ? peer.stats.delivery_bytes_per_s
                                                            : config_.scheduler.unknown_throughput_bytes_per_s;
    for (std::uint16_t i = 0; i < r.count; ++i) {
      const std::uint32_t index = r.first.value + i;
      const std::uint32_t bytes = piece_size(entry, index);
      // Wait for three round trips plus twice the transfer time at the measured rate.
      const double wait_ms = 3 * peer.stats.rtt_ms + 2000.0 * (i + 1) * trust::kPieceSize / rate;
      const TimeMs expires{now.value + std::max<std::int64_t>(config_.min_request_timeout_ms, static_cast<std::int64_t>(wait_ms))};
      requests_.add(r.seq, PieceIndex{index}, {r.peer, now, expires, bytes});
    }
    ++peer.stats.requests_sent;
    ++stats_.requests_sent;
    send(peer, wire::Request{r.seq, r.first, r.count});
  }
}

void Engine::send_header(Remote& peer, ChunkSeq seq) {
  if (peer.headers_sent.count(seq) != 0) return;
  const ChunkEntry* entry = buffer_.find(seq);
  auto signed_header = signed_headers_.find(seq);
  if (!entry || signed_header == signed_headers_.end()) return;
  if (peer.inits_sent.count(entry->header.epoch) == 0) {
    auto init = inits_.find(entry->header.epoch);
    if (init != inits_.end()) {
      send(peer, wire::InitSegment{init->second.signed_header, init->second.bytes});
      peer.inits_sent.insert(entry->header.epoch);
    }
  }
  wire::ChunkHeader message;
  message.signed_header = signed_header->second;
  message.piece_hashes.assign(entry->piece_hashes.begin(), entry->piece_hashes.end());
  send(peer, message);
  peer.headers_sent.insert(seq);
}

void Engine::introduce_holdings(Remote& peer) {
  for (const auto& [seq, entry] : buffer_.chunks()) {
    if (entry.pieces_have == 0) continue;
    send_header(peer, seq);
    for (std::uint32_t p = 0; p < entry.piece_count();) {
      if (!entry.have[p]) { ++p; continue; }
      std::uint32_t end = p;
      while (end < entry.piece_count() && entry.have[end]) ++end;
      send(peer, wire::HaveRange{seq, PieceIndex{p}, static_cast<std::uint16_t>(end - p)});
      p = end;
    }
  }
}

void Engine::advertise() {
  std::vector<std::uint32_t> news;
  for (auto& [seq, pieces] : fresh_pieces_) {
    std::sort(pieces.begin(), pieces.end());
    for (auto& [id, peer] : peers_) {
      if (!peer->handshaken) continue;
      // A peer that told us it holds a piece will not ask for it: no advert (HaveRange
      // was 80 % of all messages in mesh-100).
      news.clear();
      for (std::uint32_t p : pieces)
        if (!peer->availability.has(seq, PieceIndex{p})) news.push_back(p);
      if (news.empty()) continue;
      send_header(*peer, seq);
      for (std::size_t i = 0; i < news.size();) {
        std::size_t end = i + 1;
        while (end < news.size() && news[end] == news[end - 1] + 1) ++end;
        send(*peer, wire::HaveRange{seq, PieceIndex{news[i]}, static_cast<std::uint16_t>(end - i)});
        i = end;
      }
    }
  }
  fresh_pieces_.clear();
}

void Engine::update_unchoked(TimeMs now) {
  if (now.value - last_unchoke_.value < std::int64_t{config_.unchoke_interval_ms}) return;
  last_unchoke_ = now;
  std::vector<UploadCandidate> candidates;
  for (const auto& [id, peer] : peers_) {
    if (!peer->handshaken || peer->is_source) continue;
    UploadCandidate c;
    c.id = id;
    c.interested = true;
    c.bytes_per_s_received_from = peer->stats.delivery_bytes_per_s;
    c.connected_at = peer->stats.connected_at;
    c.can_upload_to = true;
    c.is_newcomer = now.value - peer->stats.connected_at.value < 10'000;
    c.score = score(peer->stats, now);
    candidates.push_back(c);
  }
  std::vector<PeerId> chosen;
  if (config_.broadcaster || config_.device.can_upload())
    chosen = choose_unchoked(candidates, optimistic_period(now, config_.upload), config_.upload);
  for (auto& [id, peer] : peers_) {
    if (!peer->handshaken || peer->is_source) continue;
    const bool unchoke = std::find(chosen.begin(), chosen.end(), id) != chosen.end();
    if (unchoke == !peer->we_choke) continue;
    peer->we_choke = !unchoke;
    if (unchoke) {
      send(*peer, wire::Unchoke{});
    } else {
      peer->to_send.clear();
      send(*peer, wire::Choke{});
    }
  }
}

void Engine::serve(TimeMs now) {
  // One piece per peer per round, so one greedy peer cannot starve the others.
  bool sent = true;
  while (sent) {
    sent = false;
    for (auto& [id, peer] : peers_) {
      if (peer->to_send.empty() || peer->buffered >= backlog_limit_) continue;
      const auto [seq, index] = peer->to_send.front();
      const ByteView piece = buffer_.piece(seq, index);
      if (piece.empty()) {
        peer->to_send.pop_front();
        continue;
      }
      if (!budget_.admit(id, static_cast<std::uint32_t>(piece.size()), now)) continue;
      peer->to_send.pop_front();
      send(*peer, wire::Piece{seq, index, ByteVector(piece.begin(), piece.end())});
      sent = true;
    }
  }
}

void Engine::ping(TimeMs now) {
  for (auto& [id, peer] : peers_) {
    if (!peer->handshaken || now.value - peer->last_ping.value < std::int64_t{config_.ping_interval_ms}) continue;
    peer->last_ping = now;
    peer->ping_sent_at = now;
    send(*peer, wire::Ping{++peer->ping_nonce});
  }
}

}  // namespace swarmcast::swarm
