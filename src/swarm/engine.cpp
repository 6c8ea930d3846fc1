#include "swarm/engine.hpp"

#include <algorithm>

#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"
#include "wire/codec.hpp"

namespace swarmcast::swarm {

Engine::Engine(EngineConfig config) : config_(config), buffer_(config.buffer), budget_(config.upload) {}
Engine::~Engine() = default;

void Engine::connect(PeerId id, TimeMs now) {
  if (peers_.count(id) != 0 || banned_.count(id) != 0) {
    if (banned_.count(id) != 0) disconnects_.push_back(id);
    return;
  }
  if (peers_.empty() && !playback_.started()) playback_.join(now);
  auto remote = std::make_unique<Remote>();
  remote->id = id;
  remote->last_heard = now;
  remote->stats.connected_at = now;
  Remote& peer = *peers_.emplace(id, std::move(remote)).first->second;
  wire::Handshake hello;
  hello.stream_key = config_.stream.bytes;
  hello.peer_id = config_.self;
  hello.role = config_.broadcaster ? Role::kBroadcaster : Role::kRelay;
  hello.can_upload = config_.device.can_upload();
  hello.metered = config_.device.metered;
  hello.battery_low = config_.device.battery_low;
  hello.hidden = config_.device.hidden;
  hello.upload_budget_bytes_per_s = config_.device.upload_budget_bytes_per_s;
  send(peer, hello);
}

void Engine::disconnect(PeerId id, TimeMs) {
  if (peers_.erase(id) == 0) return;
  requests_.drop_peer(id);  // its pieces are asked of others at the next tick
  budget_.forget(id);
}

void Engine::set_buffered_amount(PeerId id, std::uint64_t bytes) {
  if (auto it = peers_.find(id); it != peers_.end()) it->second->buffered = bytes;
}

void Engine::send(Remote& peer, const wire::Message& message) {
  ByteVector bytes = wire::encode(message);
  if (std::holds_alternative<wire::Piece>(message)) {
    stats_.media_bytes_sent += std::get<wire::Piece>(message).bytes.size();
  } else {
    stats_.control_bytes_sent += bytes.size();
  }
  peer.buffered += bytes.size();
  outbox_.push_back({peer.id, std::move(bytes)});
}

void Engine::ban(Remote& peer) {
  ++stats_.bans;
  banned_.insert(peer.id);
  send(peer, wire::Goodbye{wire::GoodbyeReason::kBanned});
  disconnects_.push_back(peer.id);
  const PeerId id = peer.id;
  disconnect(id, TimeMs{0});
}

void Engine::tick(TimeMs now) {
  expire_requests(now);
  drop_silent_peers(now);
  evict();
  advance_playback(now);
  if (!config_.broadcaster) schedule_requests(now);
  advertise();
  update_unchoked(now);
  serve(now);
  ping(now);
#if SWARMCAST_INVARIANTS
  buffer_.check_invariants();
#endif
}

void Engine::expire_requests(TimeMs now) {
  for (PeerId late : requests_.expire(now)) {
    ++stats_.requests_timed_out;
    if (auto it = peers_.find(late); it != peers_.end()) ++it->second->stats.requests_failed;
  }
}

void Engine::drop_silent_peers(TimeMs now) {
  std::vector<PeerId> silent;
  for (const auto& [id, peer] : peers_)
    if (now.value - peer->last_heard.value > std::int64_t{config_.peer_silence_timeout_ms}) silent.push_back(id);
  for (PeerId id : silent) {
    disconnects_.push_back(id);
    disconnect(id, now);
  }
}

void Engine::evict() {
  buffer_.evict(playhead_);
  const auto oldest = buffer_.oldest();
  if (!oldest) return;
  signed_headers_.erase(signed_headers_.begin(), signed_headers_.lower_bound(*oldest));
  fresh_pieces_.erase(fresh_pieces_.begin(), fresh_pieces_.lower_bound(*oldest));
  requests_.forget_before(*oldest);
  for (auto& [id, peer] : peers_) {
    peer->availability.forget_before(*oldest);
    std::erase_if(peer->headers_sent, [&](ChunkSeq s) { return s < *oldest; });
  }
}

void Engine::advance_playback(TimeMs now) {
  if (config_.broadcaster) return;
  if (!playhead_) {
    // Join near the live edge: a chunk some neighbour holds whole (so it arrives at
    // full speed), join_behind_chunks behind the newest, so the next ones have time to
    // spread before the player needs them.
    std::uint32_t behind = 0;
    for (auto it = buffer_.chunks().rbegin(); it != buffer_.chunks().rend() && !playhead_; ++it, ++behind) {
      bool held = it->second.complete();
      for (const auto& [id, peer] : peers_) {
        const PieceAvailability::Chunk* c = peer->availability.chunk(it->first);
        held |= c && c->holds_all(it->second.piece_count());
      }
      if (held && behind >= config_.join_behind_chunks) playhead_ = it->first;
    }
    if (!playhead_) return;
  }
  while (true) {
    const ChunkEntry* entry = buffer_.find(*playhead_);
    if (entry && entry->complete()) {
      const Epoch epoch = entry->header.epoch;
      if (player_epoch_ != epoch) {
        auto init = inits_.find(epoch);
        if (init == inits_.end()) return;  // cannot play without its init segment yet
        playable_.push_back({true, epoch, ChunkSeq{0}, init->second.capture, init->second.bytes});
        player_epoch_ = epoch;
      }
      playback_.hand_over(entry->header.capture_time, now);
      playable_.push_back({false, epoch, *playhead_, entry->header.capture_time, entry->data});
      last_played_ = entry->header;
      late_since_.reset();
      ++stats_.chunks_played;
      playhead_ = ChunkSeq{playhead_->value + 1};
      continue;
    }
    if (!playback_.started()) return;
    // Missing: the player waits, and after a while gives the chunk up if a later one
    // is ready or it has left the window.
    const TimeMs expected = entry ? entry->header.capture_time
                                  : TimeMs{last_played_->capture_time.value + last_played_->duration_ms};
    playback_.waiting(expected, now);
    if (now.value <= playback_.deadline(expected).value) return;
    if (!late_since_) late_since_ = now;
    const bool later_ready = std::any_of(buffer_.chunks().upper_bound(*playhead_), buffer_.chunks().end(),
                                         [](const auto& kv) { return kv.second.complete(); });
    const bool gone = buffer_.oldest() && *playhead_ < *buffer_.oldest();
    if (!gone && !(later_ready && now.value - late_since_->value >= std::int64_t{config_.skip_after_stall_ms})) return;
    playback_.skip(entry ? entry->header.duration_ms : last_played_->duration_ms);
    ++stats_.chunks_skipped;
    late_since_.reset();
    playhead_ = ChunkSeq{playhead_->value + 1};
  }
}

}  // namespace swarmcast::swarm
