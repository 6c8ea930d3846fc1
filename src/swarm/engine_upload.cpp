// The engine's outward work each tick besides asking (engine_requests.cpp):
// advertising, choosing whom to serve, serving, and keeping links alive.
#include <algorithm>
#include <bitset>
#include <cmath>
#include <limits>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"

namespace swarmcast::swarm {

void Engine::send_header(Remote& peer, ChunkId id) {
  if (peer.headers_sent.count(id) != 0) return;
  const ChunkEntry* entry = buffer_.find(id);
  auto signed_header = signed_headers_.find(id);
  if (!entry || signed_header == signed_headers_.end()) return;
  const InitId init_id{entry->header.epoch, id.rendition};
  if (peer.inits_sent.count(init_id) == 0) {
    auto init = inits_.find(init_id);
    if (init != inits_.end()) {
      send(peer, wire::InitSegment{init->second.signed_header, init->second.bytes});
      peer.inits_sent.insert(init_id);
    }
  }
  wire::ChunkHeader message;
  message.signed_header = signed_header->second;
  message.piece_hashes.assign(entry->piece_hashes.begin(), entry->piece_hashes.end());
  send(peer, message);
  peer.headers_sent.insert(id);
}

std::vector<PeerId> Engine::stripe_relays(RenditionId rendition, double bytes_per_s, TimeMs now) const {
  // A relay whose link still holds more than a second of the rendition is slower than
  // what is sent to it: its link is backed up. A few pieces waiting are no sign of that:
  // a busy page reads its channel in bursts, and leaving it out of the stripes for that
  // left it asking the source for what the other could not relay in time (two Firefox
  // viewers on a loaded machine: up to 1.7 x the stream from the source, 1.06-1.11
  // when they keep their stripes).
  const std::uint64_t backed_up = std::max<std::uint64_t>(4 * trust::kPieceSize, static_cast<std::uint64_t>(bytes_per_s));
  std::vector<std::pair<PeerId, PeerStats>> ranked_input;
  // Of several renditions, one is pushed only to those that play it: the others would
  // download what they do not play, on a link that may carry only their own, and a
  // rendition nobody plays is not sent at all until someone asks for it.
  const bool several = several_renditions();
  for (const auto& [id, peer] : peers_)
    if (peer.handshaken && !peer.we_choke && (!several || peer.playing == rendition)) ranked_input.emplace_back(id, peer.stats);
  std::vector<PeerId> ranked = rank_stripe_relays(ranked_input, now);
  // Peers drop out, in this order, while any would be left: those that do not serve (a
  // stripe pushed to one reaches nobody else: the others would fetch it from us again),
  // and, of several renditions, those whose link is backed up (what is pushed to them
  // would wait behind the rest, and push the rest back).
  const auto keep_only = [&](auto&& wanted) {
    if (std::any_of(ranked.begin(), ranked.end(), wanted))
      ranked.erase(std::remove_if(ranked.begin(), ranked.end(), [&](PeerId id) { return !wanted(id); }), ranked.end());
  };
  keep_only([&](PeerId id) { return peers_.find(id)->second.stats.device.can_upload(); });
  if (several) keep_only([&](PeerId id) { return peers_.find(id)->second.buffered <= backed_up; });
  return ranked;
}

// super_seed_fanout for the whole stream, shared by bitrate among the renditions some
// peer plays (one nobody plays is not pushed): each stripes a chunk across at least one
// relay, the top one across most.
std::size_t Engine::stripe_fanout(RenditionId rendition) const {
  const trust::Rendition* own = ladder_ ? ladder_->find(rendition) : nullptr;
  if (!own || ladder_->renditions.size() < 2) return config_.super_seed_fanout;
  std::bitset<trust::kMaxRenditions> played;
  played.set(rendition.value);
  for (const auto& [id, peer] : peers_)
    if (peer.handshaken && peer.playing && peer.playing->value < trust::kMaxRenditions) played.set(peer.playing->value);
  double total = 0;
  for (const trust::Rendition& r : ladder_->renditions)
    if (played.test(r.id.value)) total += r.bitrate_bps;
  const double share = static_cast<double>(own->bitrate_bps) / total;
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(config_.super_seed_fanout * share)));
}

void Engine::introduce_holdings(Remote& peer) {
  // The list first: the peer judges every header's rendition against it.
  if (ladder_) send(peer, wire::RenditionList{signed_ladder_});
  if (!config_.broadcaster) send(peer, wire::Playing{playing_});
  for (const auto& [id, entry] : buffer_.chunks()) {
    if (entry.pieces_have == 0) continue;
    send_header(peer, id);
    for (std::uint32_t p = 0; p < entry.piece_count();) {
      if (!entry.have[p]) { ++p; continue; }
      std::uint32_t end = p;
      while (end < entry.piece_count() && entry.have[end]) ++end;
      send(peer, wire::HaveRange{id, PieceIndex{p}, static_cast<std::uint16_t>(end - p)});
      p = end;
    }
  }
}

void Engine::advertise() {
  std::vector<std::uint32_t> news;
  for (auto& [chunk, pieces] : fresh_pieces_) {
    std::sort(pieces.begin(), pieces.end());
    for (auto& [id, peer] : peers_) {
      if (!peer.handshaken) continue;
      // A peer that told us it holds a piece will not ask for it: no advert (HaveRange
      // was 80 % of all messages in mesh-100).
      news.clear();
      const PieceAvailability::Chunk* told = peer.availability.chunk(chunk);
      for (std::uint32_t p : pieces)
        if (!told || !told->has(p)) news.push_back(p);
      if (news.empty()) continue;
      send_header(peer, chunk);
      for (std::size_t i = 0; i < news.size();) {
        std::size_t end = i + 1;
        while (end < news.size() && news[end] == news[end - 1] + 1) ++end;
        send(peer, wire::HaveRange{chunk, PieceIndex{news[i]}, static_cast<std::uint16_t>(end - i)});
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
    if (!peer.handshaken || peer.is_source) continue;
    UploadCandidate c;
    c.id = id;
    c.interested = true;
    c.bytes_per_s_received_from = peer.stats.delivery_bytes_per_s;
    c.connected_at = peer.stats.connected_at;
    c.can_upload_to = true;
    c.is_newcomer = now.value - peer.stats.connected_at.value < 10'000;
    c.score = score(peer.stats, now);
    candidates.push_back(c);
  }
  std::vector<PeerId> chosen;
  if (allowance_.serves)
    chosen = choose_unchoked(candidates, optimistic_period(now, config_.upload), config_.upload);
  for (auto& [id, peer] : peers_) {
    if (!peer.handshaken || peer.is_source) continue;
    const bool unchoke = std::find(chosen.begin(), chosen.end(), id) != chosen.end();
    if (unchoke == !peer.we_choke) continue;
    peer.we_choke = !unchoke;
    if (unchoke) {
      send(peer, wire::Unchoke{});
    } else {
      stats_.piece_requests_refused += peer.to_send.size();
      peer.to_send.clear();
      send(peer, wire::Choke{});
    }
  }
}

void Engine::serve(TimeMs now) {
  // One piece per peer per round, so one greedy peer cannot starve the others.
  bool sent = true;
  while (sent) {
    sent = false;
    for (auto& [id, peer] : peers_) {
      if (peer.to_send.empty() || peer.buffered >= backlog_limit_) continue;
      const auto [chunk, index] = peer.to_send.front();
      const ByteView piece = buffer_.piece(chunk, index);
      if (piece.empty()) {
        ++stats_.piece_requests_refused;
        peer.to_send.pop_front();
        continue;
      }
      if (!budget_.admit(id, static_cast<std::uint32_t>(piece.size()), now)) continue;
      ++stats_.piece_requests_served;
      peer.to_send.pop_front();
      send_piece(peer, {chunk, index, piece});
      sent = true;
    }
  }
}

void Engine::ping(TimeMs now) {
  if (now < ping_check_at_) return;
  const std::int64_t interval = config_.ping_interval_ms;
  ping_check_at_ = TimeMs{std::numeric_limits<std::int64_t>::max()};
  for (auto& [id, peer] : peers_) {
    if (!peer.handshaken) continue;
    if (now.value - peer.last_ping.value >= interval) {
      peer.last_ping = now;
      peer.ping_sent_at = now;
      send(peer, wire::Ping{++peer.ping_nonce});
    }
    ping_check_at_ = std::min(ping_check_at_, TimeMs{peer.last_ping.value + interval});
  }
}

}  // namespace swarmcast::swarm
