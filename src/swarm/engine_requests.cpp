// The engine's asking: the pieces of the window it lacks, in what state, and the
// requests pick_requests chooses for them.
#include <algorithm>
#include <limits>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"

namespace swarmcast::swarm {
namespace {

// What a peer is expected to deliver: as measured (0 before that: the scheduler's
// default), but never more than it declared it will upload. A declaration only ever
// lowers what we ask of a peer, so a hidden or capped one is asked less at once.
double expected_delivery(const PeerStats& stats, const SchedulerConfig& config) {
  const double declared = stats.device.upload_budget_bytes_per_s;
  if (!(declared > 0)) return stats.delivery_bytes_per_s;
  const double measured = stats.delivery_bytes_per_s > 0 ? stats.delivery_bytes_per_s
                                                         : config.unknown_throughput_bytes_per_s;
  return std::min(measured, declared);
}

}  // namespace

// Whether what is asked of `peer` comes before `deadline` at the rate it has been
// delivering: all of it, as what was asked of it before this piece is not told apart
// from what was asked after. A late request of a peer that is simply busy is still on
// its way: asking a second peer then doubled the piece on both links (most of the
// duplicates of mesh-100 and churn-1000) and made both later.
bool Engine::arrives_in_time(PeerId peer, TimeMs deadline, TimeMs now) const {
  // The rate is a smoothed estimate and the last piece still has the way over to make:
  // half again, and 100 ms (over 6 seeds of mesh-100, continuity as before with a
  // third of the duplicates; with no margin, continuity fell by 2e-4).
  constexpr double kEstimateMargin = 1.5;
  constexpr double kWayOverMs = 100;
  const auto it = peers_.find(peer);
  if (it == peers_.end()) return false;
  const double rate = expected_delivery(it->second.stats, config_.scheduler);
  if (!(rate > 0)) return false;
  const double ms = 1000.0 * static_cast<double>(requests_.inflight_bytes(peer)) / rate;
  return static_cast<double>(now.value) + kEstimateMargin * ms + kWayOverMs <= static_cast<double>(deadline.value);
}

std::size_t Engine::gather_wanted(TimeMs now) {
  // A chunk kept for neighbours is due this much after the one played at its time: it
  // queues behind what the player needs.
  constexpr std::int64_t kKeptAfterPlayedMs = 1500;
  if (buffer_.chunks().empty()) return 0;
  std::size_t wanted = 0;
  bool lacking = false;  // a piece missing, or late
  // One of those that a peer other than the source has told us it holds, or one close
  // enough to its deadline that the source may be asked for it.
  bool askable = false;
  const ChunkSeq from = playhead_.value_or(buffer_.chunks().begin()->first.seq);
  const ChunkEntry* start = playhead_ ? buffer_.find({*playhead_, rendition_at(*playhead_)}) : nullptr;
  // The rendition playing, and from a planned switch on the one switched to; the lowest
  // too when kept for neighbours (engine_abr.cpp), after them; nothing else of other
  // renditions: those are held only as peers relay them.
  const std::optional<RenditionId> kept = kept_for_neighbours(now);
  for (auto it = buffer_.chunks().lower_bound({from, RenditionId{0}}); it != buffer_.chunks().end(); ++it) {
    const ChunkEntry& entry = it->second;
    const bool played = it->first.rendition == rendition_at(it->first.seq);
    if (entry.complete() || !(played || it->first.rendition == kept)) continue;
    if (wanted_.size() == wanted) wanted_.emplace_back();
    WantedChunk& w = wanted_[wanted++];
    w.pieces.clear();
    w.asked.clear();
    w.id = it->first;
    // Before playback starts, the chunk chosen to start with is wanted at once and the
    // ones after it as if playback had started now: starting late into the first
    // chunk leaves little time for the second.
    w.deadline = !played ? TimeMs{playback_.deadline(entry.header.capture_time).value + kKeptAfterPlayedMs}
                 : playback_.started() ? playback_.deadline(entry.header.capture_time)
                 : start ? TimeMs{now.value + entry.header.capture_time.value - start->header.capture_time.value}
                         : TimeMs{now.value + 60'000};
    w.last_piece_bytes = trust::piece_length(entry.header.byte_length, PieceIndex{entry.piece_count() - 1});
    const PieceAvailability::Chunk* relayed = advertised_.chunk(it->first);
    // A chunk kept for neighbours comes from peers only: the source sends what is played,
    // and a neighbour that plays the kept level is served by it or by its other keepers.
    w.never_of_source = !played;
    const bool source_may_be_asked =
        played && w.deadline.value - now.value < std::int64_t{config_.scheduler.source_margin_ms};
    const std::span<const PieceRequest> requested = requests_.of_chunk(it->first);
    std::size_t next = 0;  // into requested: the first request for piece p or a later one
    for (std::uint32_t p = 0; p < entry.piece_count(); ++p) {
      while (next < requested.size() && requested[next].piece.value < p) ++next;
      std::size_t outstanding = 0;  // requests for piece p
      while (next + outstanding < requested.size() && requested[next + outstanding].piece.value == p) ++outstanding;
      PieceState state = entry.have[p] ? PieceState::kHave : PieceState::kMissing;
      PeerId asked{};
      if (!entry.have[p] && outstanding > 0) {
        const OutstandingRequest& r = requested[next].request;
        // Late: half its timeout (or kEndgameMs, if less) gone while the chunk's
        // deadline is close. Stalls in mesh-100 were chunks missing their last one or
        // two pieces, asked of a slow peer whose timeout outlasted the deadline.
        constexpr std::int64_t kEndgameMs = 400;
        const std::int64_t waited = now.value - r.sent_at.value;
        const bool at_risk = outstanding == 1 &&
                             waited > std::min(kEndgameMs, (r.expires_at.value - r.sent_at.value) / 2) &&
                             w.deadline.value - now.value < std::int64_t{config_.scheduler.urgent_window_ms} &&
                             !arrives_in_time(r.peer, w.deadline, now);
        state = at_risk ? PieceState::kInflightAtRisk : PieceState::kInflight;
        asked = r.peer;
      }
      w.pieces.push_back(state);
      w.asked.push_back(asked);
      if (state == PieceState::kMissing || state == PieceState::kInflightAtRisk) {
        lacking = true;
        askable = askable || source_may_be_asked || (relayed && relayed->has(p));
      }
    }
  }
  // pick_requests asks only for lacking pieces and only of peers that advertised them
  // (the source only within source_margin_ms of the deadline), and without an HTTP
  // origin that is all it does. Most ticks in a 1000-viewer simulation had nothing to
  // ask: every piece held or in flight, or the ones lacking advertised by nobody but
  // the source yet.
  if (!lacking || (!askable && !config_.scheduler.http_origin)) return 0;
  return wanted;
}

// The link as a whole takes what it delivers in kLinkPipelineMs at its measured rate:
// more in flight only queues on it (a capped download), ahead of the pieces asked next,
// and delays the pings that size each peer's pipeline, which then asks for more still.
// Nor more than kMostLevelMs of the level fetched: a rate measured on a fast link
// lets megabytes be asked at once, and when the link then narrows (a phone leaving
// Wi-Fi, a cap) they queue ahead of everything, the lower level's chunks included; on
// a real 1 Mbit/s cap a viewer went down 17-20 s after it, stalled throughout.
double Engine::link_room_bytes(TimeMs now) const {
  constexpr double kLinkPipelineMs = 500;
  constexpr double kMostLevelMs = 1000;
  constexpr double kLeastBytes = 4.0 * trust::kPieceSize;
  const std::optional<double> rate = link_carries_now(now);
  if (!rate || !several_renditions()) return std::numeric_limits<double>::infinity();
  double level = 0;
  for (RenditionId fetched : {playing_, plan_ ? plan_->to : playing_})
    if (const trust::Rendition* r = ladder_->find(fetched)) level = std::max(level, weighed_bytes_per_s(*r));
  double inflight = 0;
  for (const auto& [id, peer] : peers_) inflight += static_cast<double>(requests_.inflight_bytes(id));
  return std::max(kLeastBytes, std::min(*rate * kLinkPipelineMs, level * kMostLevelMs) / 1000.0) - inflight;
}

void Engine::schedule_requests(TimeMs now) {
  const std::size_t wanted = gather_wanted(now);
  if (wanted == 0) return;
  candidates_.clear();
  for (const auto& [id, peer] : peers_) {
    if (!peer.handshaken) continue;
    candidates_.push_back({id, peer.choked_by_them, expected_delivery(peer.stats, config_.scheduler), peer.stats.rtt_ms,
                           requests_.inflight_bytes(id), &peer.availability, peer.is_source});
  }
  const SchedulerDecision decision =
      pick_requests(std::span(wanted_).first(wanted), candidates_, now, config_.scheduler, link_room_bytes(now));
  // The link is busy from the first request on (observe_link).
  if (!decision.requests.empty() && requests_.size() == 0 && !link_busy_since_) link_busy_since_ = now;
  for (ChunkId id : decision.http_fetches) ask_http({HttpFetchKind::kChunk, id.seq.value, id.rendition}, now);
  // What the link delivers is shared by every request on it: a piece asked now comes
  // after what is in flight already, whoever sends it.
  const std::optional<double> link = several_renditions() ? link_carries_now(now) : std::nullopt;
  double link_queue = 0;
  if (link)
    for (const auto& [id, peer] : peers_) link_queue += static_cast<double>(requests_.inflight_bytes(id));
  for (const RequestAction& r : decision.requests) {
    Remote& peer = peers_.at(r.peer);
    const ChunkEntry& entry = *buffer_.find(r.id);
    const double expected = expected_delivery(peer.stats, config_.scheduler);
    const double rate = expected > 0 ? expected : config_.scheduler.unknown_throughput_bytes_per_s;
    for (std::uint16_t i = 0; i < r.count; ++i) {
      const std::uint32_t index = r.first.value + i;
      const std::uint32_t bytes = trust::piece_length(entry.header.byte_length, PieceIndex{index});
      // Wait for three round trips plus twice the transfer time at the measured rate,
      // the peer's, or the link's for all that is ahead on it if that is longer: a
      // request that expires while its piece still comes is asked again, and the link
      // then carries the piece twice.
      link_queue += bytes;
      const double transfer_ms = std::max(1000.0 * (i + 1) * trust::kPieceSize / rate, link ? 1000.0 * link_queue / *link : 0.0);
      const double wait_ms = 3 * peer.stats.rtt_ms + 2 * transfer_ms;
      const TimeMs expires{now.value + std::max<std::int64_t>(config_.min_request_timeout_ms, static_cast<std::int64_t>(wait_ms))};
      requests_.add(r.id, PieceIndex{index}, {r.peer, now, expires, bytes});
    }
    ++peer.stats.requests_sent;
    ++stats_.requests_sent;
    send(peer, wire::Request{r.id, r.first, r.count});
  }
}

}  // namespace swarmcast::swarm
