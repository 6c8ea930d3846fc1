// The engine's inward work: every message a peer can send, and what the broadcaster
// publishes. Anything malformed or forged ends the link; nothing unverified is kept.
#include <algorithm>
#include <cmath>
#include <vector>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"
#include "wire/codec.hpp"

namespace swarmcast::swarm {

void Engine::on_message(PeerId id, ByteView bytes, TimeMs now) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Remote& peer = it->second;
  peer.last_heard = now;
  if (!bytes.empty() && bytes[0] == static_cast<Byte>(wire::MessageType::kPiece)) {
    auto piece = wire::decode_piece(bytes);
    if (!piece) return refuse_malformed(peer, now);
    if (peer.handshaken) on_piece(peer, piece.value(), now);
    return;
  }
  auto message = wire::decode(bytes);
  if (!message) return refuse_malformed(peer, now);
  stats_.control_bytes_received += bytes.size();
  // Nothing but a handshake before the handshake.
  if (!peer.handshaken && !std::holds_alternative<wire::Handshake>(message.value())) return;
  handle(peer, std::move(message).value(), now);
}

void Engine::refuse_malformed(Remote& peer, TimeMs now) {
  ++stats_.protocol_errors;
  send(peer, wire::Goodbye{wire::GoodbyeReason::kProtocolError});
  const PeerId id = peer.id;
  disconnects_.push_back(id);
  disconnect(id, now);
}

// Every message but Piece, which on_message hands to on_piece.

void Engine::handle(Remote& peer, wire::Message message, TimeMs now) {
  if (auto* m = std::get_if<wire::Handshake>(&message)) return on_handshake(peer, *m, now);
  if (auto* m = std::get_if<wire::Have>(&message)) {
    if (!listed(m->rendition)) return;
    for (std::size_t i = 0; i < m->have.size(); ++i) {
      if (!m->have[i]) continue;
      const ChunkId id{ChunkSeq{m->base.value + i}, m->rendition};
      peer.availability.set_complete(id);
      if (!peer.is_source) advertised_.set_complete(id);
    }
    return;
  }
  if (auto* m = std::get_if<wire::HaveRange>(&message)) {
    if (!listed(m->id.rendition)) return;
    peer.availability.set_pieces(m->id, m->first_piece, m->piece_count);
    if (!peer.is_source) advertised_.set_pieces(m->id, m->first_piece, m->piece_count);
    return;
  }
  if (auto* m = std::get_if<wire::Request>(&message)) return on_request(peer, *m);
  if (auto* m = std::get_if<wire::Cancel>(&message)) {
    std::erase_if(peer.to_send, [&](const auto& p) {
      return p.first == m->id && p.second.value >= m->first_piece.value &&
             p.second.value < m->first_piece.value + m->piece_count;
    });
    return;
  }
  if (std::holds_alternative<wire::Choke>(message)) {
    peer.choked_by_them = true;
    requests_.drop_peer(peer.id);
    return;
  }
  if (std::holds_alternative<wire::Unchoke>(message)) {
    peer.choked_by_them = false;
    return;
  }
  if (auto* m = std::get_if<wire::ChunkHeader>(&message)) return on_chunk_header(peer, *m, now);
  if (auto* m = std::get_if<wire::InitSegment>(&message)) return on_init_segment(peer, *m);
  if (auto* m = std::get_if<wire::Ping>(&message)) return send(peer, wire::Pong{m->nonce});
  if (auto* m = std::get_if<wire::Pong>(&message)) {
    if (peer.ping_sent_at && m->nonce == peer.ping_nonce) {
      smooth(peer.stats.rtt_ms, static_cast<double>(now.value - peer.ping_sent_at->value));
      peer.ping_sent_at.reset();
    }
    return;
  }
  if (auto* m = std::get_if<wire::Chat>(&message)) return on_chat(peer, std::move(*m), now);
  if (auto* m = std::get_if<wire::DeviceStatus>(&message)) return on_device_status(peer, *m);
  if (auto* m = std::get_if<wire::RenditionList>(&message)) return on_rendition_list(peer, *m);
  if (auto* m = std::get_if<wire::Playing>(&message)) {
    peer.playing = m->rendition;
    return;
  }
  if (std::holds_alternative<wire::Goodbye>(message)) {
    const PeerId id = peer.id;
    disconnects_.push_back(id);
    disconnect(id, now);
  }
  // PeerExchange: peer discovery is the tracker's job for now; suggestions are ignored.
}

void Engine::on_handshake(Remote& peer, const wire::Handshake& m, TimeMs now) {
  if (peer.handshaken) return;
  if (m.stream_key != config_.stream.bytes) return refuse_malformed(peer, now);
  peer.handshaken = true;
  peer.is_source = m.role == Role::kBroadcaster;
  peer.stats.device = declared_device(m);
  introduce_holdings(peer);
  send_chat_history(peer);
  ping_check_at_ = TimeMs{0};  // a new peer to ping
  last_unchoke_ = TimeMs{-1'000'000};  // reconsider whom to serve at the next tick
}

void Engine::on_request(Remote& peer, const wire::Request& m) {
  stats_.piece_requests_received += m.piece_count;
  if (!listed(m.id.rendition)) {
    stats_.piece_requests_refused += m.piece_count;
    return;
  }
  for (std::uint16_t i = 0; i < m.piece_count; ++i) {
    if (peer.we_choke || !accept_request(static_cast<std::uint32_t>(peer.to_send.size()), config_.upload)) {
      stats_.piece_requests_refused += m.piece_count - i;
      return;
    }
    peer.to_send.emplace_back(m.id, PieceIndex{m.first_piece.value + i});
  }
}

void Engine::on_piece(Remote& peer, const wire::PieceView& m, TimeMs now) {
  const ChunkId id = m.id;
  switch (buffer_.add_piece(id, m.index, m.bytes)) {
    case PieceOutcome::kBadPiece:
      // Per-piece hashes make the blame exact: this peer sent bytes that do not verify.
      ++stats_.bad_pieces;
      ++peer.stats.bad_pieces;
      return ban(peer);
    case PieceOutcome::kUnknownChunk:
      return;
    case PieceOutcome::kDuplicate:
      stats_.duplicate_bytes_received += m.bytes.size();
      observe_link(m.bytes.size(), requests_.complete(id, m.index, peer.id, now, also_asked_).value_or(TimeMs{0}), now);
      cancel_also_asked(id, m.index);
      return;
    case PieceOutcome::kAccepted:
      break;
  }
  stats_.media_bytes_received += m.bytes.size();
  if (peer.is_source) stats_.media_bytes_from_source += m.bytes.size();
  const std::optional<TimeMs> took = requests_.complete(id, m.index, peer.id, now, also_asked_);
  cancel_also_asked(id, m.index);
  if (took) {
    ++peer.stats.requests_served;
    measure_delivery(peer, m.bytes.size(), *took, now);
  }
  // Every piece took the link, asked for or pushed, late or not.
  observe_link(m.bytes.size(), took.value_or(TimeMs{0}), now);
  fresh_pieces_[id].push_back(m.index.value);
}

// A piece asked of two peers (the first one late) is needed once: the other copy, if
// still queued at its sender, would take both links for nothing. Duplicates were 8 %
// of what mesh-100 received, 13 % of churn-1000's, nearly all such second copies.
void Engine::cancel_also_asked(ChunkId id, PieceIndex piece) {
  for (PeerId other : also_asked_)
    if (auto it = peers_.find(other); it != peers_.end()) send(it->second, wire::Cancel{id, piece, 1});
}

// Delivery rate over a busy period (from the first request of a run of pipelined ones
// until nothing is outstanding), so that pipelining measures the peer's serving rate
// rather than one request's round trip. Samples span at least kMinSampleMs: pieces
// often arrive in bursts.
void Engine::measure_delivery(Remote& peer, std::size_t bytes, TimeMs took, TimeMs now) {
  constexpr std::int64_t kMinSampleMs = 100;
  if (!peer.busy_since) peer.busy_since = TimeMs{now.value - took.value};
  peer.busy_bytes += bytes;
  const std::int64_t span = now.value - peer.busy_since->value;
  const bool idle = requests_.inflight_bytes(peer.id) == 0;
  if (span >= kMinSampleMs || (idle && span > 0)) {
    smooth(peer.stats.delivery_bytes_per_s, 1000.0 * static_cast<double>(peer.busy_bytes) / static_cast<double>(span));
    peer.busy_since = now;
    peer.busy_bytes = 0;
  }
  if (idle) peer.busy_since.reset();
}

bool Engine::accept_header(ByteView signed_header, std::vector<trust::Digest> hashes, TimeMs now) {
  auto header = buffer_.verifier().signed_header(signed_header, config_.stream);
  if (!header || header.value().kind != trust::HeaderKind::kChunk ||
      standing(header.value()) != trust::RenditionStanding::kListed)
    return false;
  const HeaderOutcome outcome = buffer_.add_header(header.value(), std::move(hashes), now, ladder());
  if (outcome == HeaderOutcome::kBadHashes || outcome == HeaderOutcome::kMisaligned) return false;
  const trust::ChunkHeader& h = header.value();
  if (outcome == HeaderOutcome::kAccepted)
    signed_headers_[{h.seq, h.rendition}] = ByteVector(signed_header.begin(), signed_header.end());
  const std::int64_t offset = now.value - (h.capture_time.value + std::int64_t{h.duration_ms});
  if (!live_edge_offset_ || offset < *live_edge_offset_) live_edge_offset_ = offset;
  return true;
}

void Engine::on_chunk_header(Remote& peer, const wire::ChunkHeader& m, TimeMs now) {
  const auto decoded = trust::decode_signed_header(m.signed_header);
  if (!decoded) return ban(peer);  // a malformed header
  // Unlisted: forged, or signed against the broadcaster's own list; either way the
  // same blame, before any signature check.
  // Unjudged (cut under an earlier list, or before a list arrived): dropped unblamed.
  const trust::RenditionStanding standing_now = standing(decoded.value().header);
  if (standing_now == trust::RenditionStanding::kUnlisted) return ban(peer);
  if (standing_now != trust::RenditionStanding::kListed) return;
  // Already verified these exact bytes: no second signature check.
  const auto known = signed_headers_.find({decoded.value().header.seq, decoded.value().header.rendition});
  if (known != signed_headers_.end() && known->second == m.signed_header) return;
  std::vector<trust::Digest> hashes(m.piece_hashes.begin(), m.piece_hashes.end());
  if (!accept_header(m.signed_header, std::move(hashes), now)) return ban(peer);  // forged or inconsistent
}

void Engine::on_init_segment(Remote& peer, const wire::InitSegment& m) {
  auto header = buffer_.verifier().signed_header(m.signed_header, config_.stream);
  if (!header || header.value().kind != trust::HeaderKind::kInit || !trust::verify_payload(header.value(), m.bytes))
    return ban(peer);  // a forged init segment
  if (standing(header.value()) != trust::RenditionStanding::kListed) return;
  inits_.try_emplace({header.value().epoch, header.value().rendition},
                     InitEntry{m.signed_header, m.bytes, header.value().capture_time});
}

bool Engine::publish_init(ByteView signed_header, ByteView init, TimeMs) {
  auto header = buffer_.verifier().signed_header(signed_header, config_.stream);
  if (!header || header.value().kind != trust::HeaderKind::kInit ||
      standing(header.value()) != trust::RenditionStanding::kListed ||
      !trust::verify_payload(header.value(), init))
    return false;
  inits_[{header.value().epoch, header.value().rendition}] = InitEntry{ByteVector(signed_header.begin(), signed_header.end()),
                                          ByteVector(init.begin(), init.end()), header.value().capture_time};
  return true;
}

bool Engine::publish_chunk(ByteView signed_header, ByteView payload, TimeMs now) {
  if (!accept_header(signed_header, trust::piece_hashes(payload), now)) return false;
  const trust::ChunkHeader header = trust::decode_signed_header(signed_header).value().header;
  const ChunkId chunk{header.seq, header.rendition};
  const std::uint32_t count = trust::piece_count(payload.size());
  for (std::uint32_t p = 0; p < count; ++p) buffer_.add_piece(chunk, PieceIndex{p}, trust::piece_of(payload, PieceIndex{p}));
  ++stats_.chunks_published;

  // Super-seeding: stripe the new chunk across the best few peers, each getting a
  // different run of pieces, so the swarm multiplies it and the source sends it once.
  // A run is in proportion to what the relay said it uploads, up to this chunk's rate:
  // one that serves at half the rate (a hidden tab) holds half as much for the others
  // to fetch from it, and they fetch it in time.
  const double chunk_bytes_per_s = header.duration_ms > 0 ? 1000.0 * static_cast<double>(payload.size()) / header.duration_ms : 0;
  const std::vector<PeerId> ranked = stripe_relays(header.rendition, chunk_bytes_per_s, now);
  const std::size_t fanout = std::min(stripe_fanout(header.rendition), ranked.size());
  std::vector<double> share(fanout, 1.0);
  for (std::size_t j = 0; j < fanout; ++j) {
    const std::uint32_t budget = peers_.at(ranked[j]).stats.device.upload_budget_bytes_per_s;
    if (budget > 0 && chunk_bytes_per_s > 0) share[j] = std::clamp(budget / chunk_bytes_per_s, 0.1, 1.0);
  }
  double total = 0;
  for (double s : share) total += s;
  double before = 0;
  for (std::size_t j = 0; j < fanout; ++j) {
    Remote& relay = peers_.at(ranked[j]);
    send_header(relay, chunk);
    const auto first = static_cast<std::uint32_t>(std::lround(count * before / total));
    before += share[j];
    const auto end = static_cast<std::uint32_t>(std::lround(count * before / total));
    for (std::uint32_t p = first; p < end; ++p) relay.to_send.emplace_back(chunk, PieceIndex{p});
  }
  std::vector<std::uint32_t>& fresh = fresh_pieces_[chunk];
  for (std::uint32_t p = 0; p < count; ++p) fresh.push_back(p);
  return true;
}

}  // namespace swarmcast::swarm
