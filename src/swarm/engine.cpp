#include "swarm/engine.hpp"

#include <algorithm>
#include <array>

#include "swarm/engine_remote.hpp"
#include "swarm/peer_scorer.hpp"
#include "swarm/start_choice.hpp"
#include "wire/codec.hpp"

namespace swarmcast::swarm {

Engine::Engine(EngineConfig config)
    : config_(std::move(config)),
      configured_total_budget_(config_.upload.total_budget_bytes_per_s),
      backlog_limit_(config_.max_buffered_bytes),
      buffer_(config_.buffer, config_.verifier),
      budget_(config_.upload),
      chat_(config_.stream, config_.chat) {
  compute_allowance();
}
Engine::~Engine() = default;

std::size_t Engine::peer_count() const { return peers_.size(); }

void Engine::connect(PeerId id, TimeMs now) {
  if (peers_.count(id) != 0 || banned_.count(id) != 0) {
    if (banned_.count(id) != 0) disconnects_.push_back(id);
    return;
  }
  if (peers_.empty() && !playback_.started()) playback_.join(now);
  Remote& peer = peers_.try_emplace(id).first->second;
  peer.id = id;
  peer.last_heard = now;
  silence_check_at_ = std::min(silence_check_at_, TimeMs{now.value + config_.peer_silence_timeout_ms + 1});
  peer.stats.connected_at = now;
  const wire::DeviceStatus device = device_status();
  wire::Handshake hello;
  hello.stream_key = config_.stream.bytes;
  hello.peer_id = config_.self;
  hello.role = config_.broadcaster ? Role::kBroadcaster : Role::kRelay;
  hello.can_upload = device.can_upload;
  hello.metered = device.metered;
  hello.battery_low = device.battery_low;
  hello.hidden = device.hidden;
  hello.upload_budget_bytes_per_s = device.upload_budget_bytes_per_s;
  hello.upload_choice = device.upload_choice;
  send(peer, hello);
}

void Engine::disconnect(PeerId id, TimeMs) {
  if (peers_.erase(id) == 0) return;
  requests_.drop_peer(id);  // its pieces are asked of others at the next tick
  budget_.forget(id);
}

void Engine::set_buffered_amount(PeerId id, std::uint64_t bytes) {
  if (auto it = peers_.find(id); it != peers_.end()) it->second.buffered = bytes;
}

void Engine::set_buffered_amount_everywhere(std::uint64_t bytes) {
  for (auto& [id, peer] : peers_) peer.buffered = bytes;
}

void Engine::send(Remote& peer, const wire::Message& message) {
  ByteVector bytes = wire::encode(message);
  stats_.control_bytes_sent += bytes.size();
  queue(peer, std::move(bytes));
}

void Engine::send_piece(Remote& peer, const wire::PieceView& piece) {
  stats_.media_bytes_sent += piece.bytes.size();
  queue(peer, wire::encode_piece(piece));
}

void Engine::queue(Remote& peer, ByteVector bytes) {
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

void Engine::set_target_latency(std::uint32_t ms, TimeMs now) {
  const std::int64_t change = std::int64_t{ms} - std::int64_t{config_.target_latency_ms};
  config_.target_latency_ms = ms;
  if (!playback_.started()) return;
  playback_.shift(change);
  if (change >= 0 || !playhead_ || !live_edge_offset_) return;
  const std::int64_t moment = start_capture_time(now);
  for (const ChunkEntry* entry = buffer_.find({*playhead_, rendition_at(*playhead_)});
       entry && entry->header.capture_time.value + std::int64_t{entry->header.duration_ms} <= moment;
       entry = buffer_.find({*playhead_, rendition_at(*playhead_)})) {
    playhead_ = ChunkSeq{playhead_->value + 1};
    late_since_.reset();
  }
}

void Engine::tick(TimeMs now) {
  // A hidden viewer's reduced rate is a share of the stream's: measured once the first
  // chunks are here (until then it assumed a default rate).
  if (!allowance_on_stream_rate_ && !buffer_.chunks().empty()) apply_device(device_status(), now);
  expire_requests(now);
  drop_silent_peers(now);
  evict();
  advance_playback(now);
  choose_rendition_now(now);
  if (!config_.broadcaster) schedule_requests(now);
  note_outstanding(now);
  // A busy period of the link ends when nothing is outstanding, however its last request
  // went: answered (observe_link), but also expired, withdrawn at a switch, or dropped
  // with its chunk or its peer. Left open, it went on measuring its few bytes over an
  // ever longer time: a viewer fed by pushes after a switch down read a link of 5-20
  // kbit/s for good, and never went back up (tests/field/abr.mjs).
  if (requests_.size() == 0) end_link_busy_period();
  if (!config_.broadcaster && config_.scheduler.http_origin) plan_http_fetches(now);
  advertise();
  update_unchoked(now);
  serve(now);
  ping(now);
  if (config_.check_invariants) buffer_.check_invariants();
}

void Engine::expire_requests(TimeMs now) {
  for (const PieceRequest& late : requests_.expire(now)) {
    ++stats_.requests_timed_out;
    auto it = peers_.find(late.request.peer);
    if (it == peers_.end()) continue;
    ++it->second.stats.requests_failed;
    // The piece is asked of someone else now: a copy still to come would only take the
    // link twice (on a slow download, it is why the request was late).
    send(it->second, wire::Cancel{late.id, late.piece, 1});
  }
}

void Engine::drop_silent_peers(TimeMs now) {
  if (now < silence_check_at_) return;
  const std::int64_t timeout = config_.peer_silence_timeout_ms;
  std::int64_t earliest_heard = now.value;
  std::vector<PeerId> silent;
  for (const auto& [id, peer] : peers_) {
    if (now.value - peer.last_heard.value > timeout) silent.push_back(id);
    else earliest_heard = std::min(earliest_heard, peer.last_heard.value);
  }
  silence_check_at_ = TimeMs{earliest_heard + timeout + 1};
  for (PeerId id : silent) {
    disconnects_.push_back(id);
    disconnect(id, now);
  }
}

void Engine::evict() {
  // Under the memory cap, what neither plays nor is switched to goes first.
  const std::array<RenditionId, 2> kept{playing_, plan_ ? plan_->to : playing_};
  buffer_.evict(playhead_, kept);
  const auto oldest = buffer_.oldest();
  // Sweeping every peer's maps each tick was 9 % of a 1000-viewer simulation; they
  // only hold something to drop once the window has moved.
  if (!oldest || oldest == swept_before_) return;
  swept_before_ = oldest;
  const ChunkId first_kept{*oldest, RenditionId{0}};
  signed_headers_.erase(signed_headers_.begin(), signed_headers_.lower_bound(first_kept));
  fresh_pieces_.erase(fresh_pieces_.begin(), fresh_pieces_.lower_bound(first_kept));
  requests_.forget_before(*oldest);
  advertised_.forget_before(*oldest);
  for (auto& [id, peer] : peers_) {
    peer.availability.forget_before(*oldest);
    peer.headers_sent.erase(peer.headers_sent.begin(), peer.headers_sent.lower_bound(first_kept));
  }
}

// The moment of the stream to play now: the one captured target_latency_ms ago, so
// a viewer far from the source in hops starts no later than one next to it (in
// mesh-100, counting the target from the live edge as each viewer saw it put
// glass-to-glass p95 at 3.75 s; from capture, 2.9 s, with fewer stalls). Header
// arrivals beyond max_header_travel_ms, or before capture ended, can only be a
// difference between the clocks, and that much is corrected for.
std::int64_t Engine::start_capture_time(TimeMs now) const {
  const std::int64_t offset = *live_edge_offset_;
  const std::int64_t clock_difference =
      offset < 0 ? offset : std::max<std::int64_t>(0, offset - std::int64_t{config_.max_header_travel_ms});
  return now.value - clock_difference - std::int64_t{config_.target_latency_ms};
}

// The keyframe chunk that starts at or before the moment to play start_lead_ms from
// now, or the oldest keyframe chunk we know of if that moment is older: it is fetched
// while that moment comes, so a slow first fetch does not push the start above the
// target latency (in mesh-100 choosing the chunk for the moment at hand gave start
// latency p50 3.1 s for a 2.5 s target, this 2.7 s). Where in it playback starts is
// settled when it arrives. Only a keyframe chunk can start a player (start_choice.hpp).
void Engine::choose_start(TimeMs now) {
  if (!live_edge_offset_) return;
  const std::int64_t wanted = start_capture_time(now) + std::int64_t{config_.start_lead_ms};
  const std::optional<ChunkSeq> chosen = start_chunk(buffer_.chunks(), playing_, wanted);
  if (!chosen) return;
  playhead_ = *chosen;
  start_chosen_at_offset_ = live_edge_offset_;
}

// A player that started on a keyframe chunk older than its moment plays from there
// until what it aims at is in its buffer, then jumps to it (the browser's player seeks
// when it is further behind its target than a little and the target is buffered): the
// model jumps as that chunk is handed over, so later deadlines are the player's. (The
// browser's player seeks only to within a second after a keyframe; with keyframes
// sparser than that it jumps at the next one, later than this model does.)
void Engine::catch_up(const ChunkEntry& handed, TimeMs now) {
  const std::int64_t moment = start_capture_time(now);
  if (moment >= handed.header.capture_time.value + std::int64_t{handed.header.duration_ms}) return;
  catching_up_ = false;
  const std::int64_t position = handed.header.capture_time.value + now.value -
                                playback_.deadline(handed.header.capture_time).value;
  if (moment > position) playback_.shift(position - moment);
}

void Engine::advance_playback(TimeMs now) {
  if (config_.broadcaster) return;
  // A joiner's first headers may come from a neighbour that is itself far behind; a
  // fresher header later (the live edge a second or more nearer) means the start
  // chosen on the stale ones is too old: choose again, unless playback has begun.
  if (!playhead_ || (!playback_.started() && start_chosen_at_offset_ &&
                     *live_edge_offset_ + std::int64_t{config_.max_header_travel_ms} < *start_chosen_at_offset_))
    choose_start(now);
  if (!playhead_) return;
  while (true) {
    const ChunkId id{*playhead_, rendition_at(*playhead_)};
    const ChunkEntry* entry = buffer_.find(id);
    // A player switches renditions only at a keyframe: a chunk of the new one that
    // starts within a group of pictures moves the switch to the next seq, and this one
    // is played in the rendition playing.
    if (entry && id.rendition != playing_ && !entry->header.keyframe && plan_ && plan_->to == id.rendition) {
      plan_->at = ChunkSeq{playhead_->value + 1};
      continue;
    }
    if (entry && entry->complete()) {
      if (!playback_.started()) {
        const std::int64_t player_moment = start_capture_time(now) + std::int64_t{config_.player_lead_ms};
        // A stream younger than the target latency: wait for the moment to come.
        if (player_moment < entry->header.capture_time.value) return;
        // The first chunk took so long to arrive that the moment is past it: start
        // with a later keyframe chunk instead if one is here already.
        if (const ChunkSeq later = later_start(buffer_.chunks(), id, player_moment); later != *playhead_) {
          playhead_ = later;
          continue;
        }
      }
      const Epoch epoch = entry->header.epoch;
      // A new epoch, or a switch: the player needs that rendition's init segment first.
      if (player_epoch_ != epoch || id.rendition != playing_) {
        auto init = inits_.find({epoch, id.rendition});
        if (init == inits_.end()) return;  // cannot play without its init segment yet
        playable_.push_back({true, epoch, ChunkSeq{0}, init->second.capture, init->second.bytes, 0, true, id.rendition});
        player_epoch_ = epoch;
      }
      // The first chunk starts at the moment the target latency points to by now, so
      // the time it took to fetch does not add to every later chunk's latency; handed
      // over before that moment (player_lead_ms), it starts when the moment comes.
      const bool starting = !playback_.started();
      const std::int64_t behind = start_capture_time(now) - entry->header.capture_time.value;
      const std::int64_t offset =
          starting ? std::clamp<std::int64_t>(behind, -std::int64_t{config_.player_lead_ms},
                                              std::int64_t{entry->header.duration_ms})
                   : 0;
      playback_.hand_over(entry->header.capture_time, now, offset);
      if (starting) catching_up_ = behind > std::int64_t{entry->header.duration_ms};
      else if (catching_up_) catch_up(*entry, now);
      playable_.push_back({false, epoch, *playhead_, entry->header.capture_time, entry->data(),
                           static_cast<std::uint32_t>(std::max<std::int64_t>(offset, 0)), entry->header.keyframe,
                           id.rendition});
      if (id.rendition != playing_) switched(id.rendition, now);
      stats_.ms_on_rendition[id.rendition.value] += entry->header.duration_ms;
      last_played_ = entry->header;
      late_since_.reset();
      ++stats_.chunks_played;
      playhead_ = ChunkSeq{playhead_->value + 1};
      continue;
    }
    if (!playback_.started()) {
      // The chunk chosen to start with left the window before it arrived: choose again.
      if (!entry) playhead_.reset();
      return;
    }
    // Missing: the player waits, and after a while gives the chunk up if a later one
    // is ready or it has left the window.
    const TimeMs expected = entry ? entry->header.capture_time
                                  : TimeMs{last_played_->capture_time.value + last_played_->duration_ms};
    // Late is judged before waiting() moves the deadline to now, as a stalled player's.
    const bool late = now.value > playback_.deadline(expected).value;
    playback_.waiting(expected, now);
    if (!late) return;
    if (!late_since_) late_since_ = now;
    const bool later_ready = std::any_of(buffer_.chunks().upper_bound(id), buffer_.chunks().end(), [&](const auto& kv) {
      return kv.first.rendition == rendition_at(kv.first.seq) && kv.second.complete();
    });
    const bool gone = buffer_.oldest() && *playhead_ < *buffer_.oldest();
    if (!gone && !(later_ready && now.value - late_since_->value >= std::int64_t{config_.skip_after_stall_ms})) return;
    playback_.skip(entry ? entry->header.duration_ms : last_played_->duration_ms);
    ++stats_.chunks_skipped;
    late_since_.reset();
    playhead_ = ChunkSeq{playhead_->value + 1};
  }
}

}  // namespace swarmcast::swarm
