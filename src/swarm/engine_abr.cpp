// The engine across renditions: which one the viewer plays, when it switches, and what
// the ABR rule (abr_rule.hpp) is told. The rule runs every tick; a switch it asks for
// is planned at a seq (the first chunk the player has not been handed in full of the
// rendition playing), from which seq on the new rendition's chunks are fetched, and it
// is made when that chunk goes to the player, after the new rendition's init segment.
// Chunk k of every rendition covers the same moment, so the player neither stalls nor
// jumps.
#include <algorithm>
#include <vector>

#include "swarm/engine.hpp"
#include "swarm/engine_remote.hpp"

namespace swarmcast::swarm {
namespace {

// The rule looks back 4 s for a switch up and 2 s for one down; 20 s is plenty.
constexpr std::int64_t kKeptObservationsMs = 20'000;
// What the link carries now is what arrived over this long (arriving_rate).
constexpr std::int64_t kArrivalWindowMs = 1000;

}  // namespace

// Piece bytes over the time pieces kept coming while requests were outstanding: a
// viewer that fetches only its own stream would otherwise never measure more than that
// stream's rate. Every piece counts, pushed, duplicate or asked of a peer whose request
// had expired: all of them took the link. Samples span at least kMinSampleMs, as in
// measure_delivery.
void Engine::observe_link(std::size_t bytes, TimeMs took, TimeMs now) {
  constexpr std::int64_t kMinSampleMs = 100;
  if (several_renditions()) {
    arrivals_.emplace_back(now, static_cast<std::uint32_t>(bytes));
    while (now.value - arrivals_.front().first.value >= kArrivalWindowMs) arrivals_.pop_front();
  }
  note_outstanding(now);
  // Pieces arriving together, from several peers at once, are taken as spread over at
  // least this: the link carried them, not in no time.
  constexpr std::int64_t kMinCarryingMs = 20;
  // Pieces nobody asked for while nothing is outstanding come pushed, in bursts (a
  // super-seeded stripe): a burst's pieces after its first, over its span, are a sample.
  // A viewer fed by pushes alone would otherwise never measure its link.
  constexpr std::int64_t kBurstGapMs = 50;
  if (took.value == 0 && requests_.size() == 0) {
    if (!push_last_at_ || now.value - push_last_at_->value > kBurstGapMs) {
      push_burst_start_ = now;
      push_burst_bytes_ = 0;
    } else if (push_burst_bytes_ += bytes; now.value > push_burst_start_.value) {
      smooth(link_bytes_per_s_,
             1000.0 * static_cast<double>(push_burst_bytes_) / static_cast<double>(now.value - push_burst_start_.value));
      link_measured_at_ = now;
    }
    push_last_at_ = now;
    return;
  }
  const bool idle = requests_.size() == 0;
  // A busy period starts with a round trip in which nothing can arrive (the request
  // travels, then the first byte); a viewer fetching a low rendition at the live edge
  // asks for a few pieces at a time, so that wait would be most of each period and its
  // link would look as slow as its peers are far. So a period is measured from its first
  // piece's arrival on: the pieces after it, over the time they took to follow it, which
  // the link's bottleneck spaces out (the round trip itself, from pings, includes the
  // queue on a capped link and is no measure of the wait).
  if (link_busy_first_) {
    link_busy_first_ = idle;
    link_busy_since_ = now;
    link_busy_bytes_ = 0;
    return;
  }
  if (!link_busy_since_) link_busy_since_ = TimeMs{now.value - took.value};
  link_busy_bytes_ += bytes;
  const std::int64_t span = std::max(now.value - link_busy_since_->value, kMinCarryingMs);
  if (span >= kMinSampleMs || idle) {
    smooth(link_bytes_per_s_, 1000.0 * static_cast<double>(link_busy_bytes_) / static_cast<double>(span));
    link_measured_at_ = now;
    link_busy_since_ = now;
    link_busy_bytes_ = 0;
  }
  if (idle) end_link_busy_period();
}

void Engine::end_link_busy_period() {
  link_busy_since_.reset();
  link_busy_first_ = true;
}

void Engine::note_outstanding(TimeMs now) {
  if (requests_.size() == 0) outstanding_since_.reset();
  else if (!outstanding_since_) outstanding_since_ = now;
}

// The smoothed rate, or less when what is arriving now is slower: pieces that take
// long to come say so only when they come, and a link that suddenly carries less
// would otherwise look as fast as it was until the buffer ran out.
std::optional<double> Engine::link_rate(TimeMs now) const {
  constexpr std::int64_t kSlowSampleMs = 500;
  if (!link_measured_at_ || now.value - link_measured_at_->value > std::int64_t{config_.abr.stale_rate_ms})
    return std::nullopt;
  if (!link_busy_since_ || now.value - link_busy_since_->value < kSlowSampleMs) return link_bytes_per_s_;
  const double arriving = 1000.0 * static_cast<double>(link_busy_bytes_) / static_cast<double>(now.value - link_busy_since_->value);
  return std::min(link_bytes_per_s_, arriving);
}

// What arrived over the last second, with requests outstanding all that second: what
// the link carries now, when it is asked for more. Not before playing: a start's first
// second is mostly round trips.
std::optional<double> Engine::arriving_rate(TimeMs now) const {
  if (!playback_.started() || !outstanding_since_ || now.value - outstanding_since_->value < kArrivalWindowMs)
    return std::nullopt;
  std::uint64_t bytes = 0;
  for (const auto& [at, size] : arrivals_)
    if (now.value - at.value < kArrivalWindowMs) bytes += size;
  return 1000.0 * static_cast<double>(bytes) / kArrivalWindowMs;
}

// The link rate, or what arrives now if less: on a real 1 Mbit/s cap the smoothed rate,
// fed by what had been queued at the old rate, still said 10 Mbit/s three seconds after
// the cap (tests/field/abr.mjs), and what is asked and how long it may take follow from
// it. Not the rule's rate for going up or down: a viewer whose peers are slow to serve
// keeps requests outstanding too, and in abr-1000 the rule fed this measure took the
// uncapped viewers' time on the top level from 0.64 and 0.59 to 0.47 and 0.41 (two seeds).
std::optional<double> Engine::link_carries_now(TimeMs now) const {
  const std::optional<double> rate = link_rate(now);
  const std::optional<double> arriving = arriving_rate(now);
  return rate && arriving ? std::min(*rate, *arriving) : rate;
}

// The rule weighs each rendition at what its chunks really weigh when that is more
// than the list's nominal bitrate: an encoder may overshoot its target twice over on a
// picture hard to compress, and a level judged by its nominal rate would be kept on a
// link that cannot carry it.
double Engine::weighed_bytes_per_s(const trust::Rendition& rendition) const {
  return std::max(static_cast<double>(rendition.bitrate_bps) / 8, rendition_bytes_per_s(rendition.id).value_or(0));
}

// Any viewer may have to go down to the lowest level (its link fails, the holders of
// its level leave), and in one swarm a level is held only where someone fetches it. So a
// viewer whose link carries its own level and the lowest, with a neighbour that plays
// the lowest, keeps the lowest too: wherever anyone plays it, it is held near, and a
// switch down finds suppliers. Nobody near playing it, it costs nothing.
std::optional<RenditionId> Engine::kept_for_neighbours(TimeMs now) const {
  if (config_.broadcaster || !several_renditions() || !playback_.started()) return std::nullopt;
  const trust::Rendition& lowest = *std::min_element(
      ladder_->renditions.begin(), ladder_->renditions.end(),
      [](const trust::Rendition& a, const trust::Rendition& b) { return a.bitrate_bps < b.bitrate_bps; });
  const trust::Rendition* own = ladder_->find(playing_);
  if (!own || own->id == lowest.id) return std::nullopt;
  if (std::none_of(peers_.begin(), peers_.end(),
                   [&](const auto& p) { return p.second.handshaken && p.second.playing == lowest.id; }))
    return std::nullopt;
  const std::optional<double> rate = link_rate(now);
  if (!rate || *rate * config_.abr.carry_fraction < weighed_bytes_per_s(*own) + weighed_bytes_per_s(lowest))
    return std::nullopt;
  return lowest.id;
}

std::uint32_t Engine::buffer_ms(TimeMs now) const {
  if (!playback_.started() || !last_played_) return 0;
  const TimeMs runs_out = playback_.deadline(TimeMs{last_played_->capture_time.value + last_played_->duration_ms});
  return static_cast<std::uint32_t>(std::clamp<std::int64_t>(runs_out.value - now.value, 0, 1'000'000));
}

// Under the panic floor since when, counted from the last switch (abr_rule.hpp).
std::uint32_t Engine::starved_ms(TimeMs now) {
  if (!playback_.started() || buffer_ms(now) >= config_.abr.panic_buffer_ms) {
    starved_since_.reset();
    return 0;
  }
  if (!starved_since_) starved_since_ = now;
  const std::int64_t since = std::max(starved_since_->value, last_switch_at_.value);
  return static_cast<std::uint32_t>(std::max<std::int64_t>(0, now.value - since));
}

void Engine::choose_rendition_now(TimeMs now) {
  // No list: a stream of one rendition, nothing to choose.
  if (config_.broadcaster || !ladder_) return;
  if (now.value - last_observation_.value >= std::int64_t{config_.abr_sample_ms}) {
    last_observation_ = now;
    // A rate not measured for a while is no measure of the link: no sample.
    if (const std::optional<double> rate = link_rate(now))
      observations_.push_back({now, *rate, buffer_ms(now)});
    std::erase_if(observations_, [&](const AbrObservation& o) { return now.value - o.at.value > kKeptObservationsMs; });
    std::erase_if(switches_, [&](const AbrSwitch& s) { return now.value - s.at.value > config_.abr.flap_window_ms; });
  }
  std::vector<trust::Rendition> weighed = ladder_->renditions;
  for (trust::Rendition& r : weighed) r.bitrate_bps = static_cast<std::uint32_t>(std::min(weighed_bytes_per_s(r) * 8, 4e9));
  const AbrInput input{.now = now,
                       .ladder = weighed,
                       .current = playing_,
                       .buffer_ms = buffer_ms(now),
                       .starved_ms = starved_ms(now),
                       .arriving_bytes_per_s = arriving_rate(now),
                       .starting = !playback_.started(),
                       .observations = observations_,
                       .switches = switches_,
                       .manual = manual_,
                       .undecodable = undecodable_,
                       .unreachable = manual_ ? std::bitset<trust::kMaxRenditions>{} : unreachable_renditions()};
  last_decision_ = choose_rendition(input, config_.abr);
  const RenditionId target = last_decision_.target;
  if (!playback_.started()) {
    // Nothing handed over yet: start in the rendition chosen, from a start chosen in it.
    if (target == playing_) return;
    playing_ = target;
    plan_.reset();
    playhead_.reset();
    start_chosen_at_offset_.reset();
    announce_playing();
    return;
  }
  if (target == playing_) {
    // A planned switch stands while the rule merely sees no reason to move this tick
    // (the buffer saws across the up floor with every chunk; a late tick leaves a gap
    // in the samples): re-planned each time, it would move on ahead of the chunks and
    // never be made. Only a reason to be where it is withdraws it.
    const AbrReason why = last_decision_.reason;
    if (plan_ && (why == AbrReason::kSteady || why == AbrReason::kHeld)) return;
    plan_.reset();
    return;
  }
  if (plan_ && plan_->to == target) return;
  plan_ = SwitchPlan{target, switch_point(target)};
  abandon(plan_->at, playing_);
}

// A viewer fetches the rendition it plays, and the broadcaster pushes a rendition only
// to those that play it: chunks of one that no neighbour has advertised over the last
// chunks (the broadcaster, when it is a neighbour, advertises them all) come from nobody.
// A switch there would stall for good: nothing arrives, so the link's rate goes stale,
// and a panic on a stale rate goes to the lowest level, which may be held by nobody either.
// The rendition playing is judged too: when its holders leave or move on, the rule moves
// to one that is held rather than wait on it.
std::bitset<trust::kMaxRenditions> Engine::unreachable_renditions() const {
  constexpr std::uint64_t kLookbackChunks = 10;
  std::bitset<trust::kMaxRenditions> unreachable;
  if (!ladder_ || buffer_.chunks().empty()) return unreachable;
  if (std::any_of(peers_.begin(), peers_.end(), [](const auto& p) { return p.second.is_source && p.second.handshaken; }))
    return unreachable;
  const std::uint64_t newest = buffer_.chunks().rbegin()->first.seq.value;
  std::uint64_t from = newest >= kLookbackChunks ? newest - kLookbackChunks : 0;
  if (playhead_) from = std::min(newest, std::max(from, playhead_->value));
  for (const trust::Rendition& r : ladder_->renditions) {
    if (r.id.value >= trust::kMaxRenditions) continue;
    bool held = false;
    for (std::uint64_t seq = from; seq <= newest && !held; ++seq) held = advertised_.chunk({ChunkSeq{seq}, r.id}) != nullptr;
    if (!held) unreachable.set(r.id.value);
  }
  return unreachable;
}

// Pieces asked for and still to come take the link a switch down needs: a Cancel lets
// the peer drop what it has not sent yet.
void Engine::abandon(ChunkSeq from, RenditionId rendition) {
  std::vector<PieceRequest> withdrawn;
  for (auto it = buffer_.chunks().lower_bound({from, RenditionId{0}}); it != buffer_.chunks().end(); ++it) {
    if (it->first.rendition != rendition) continue;
    const std::span<const PieceRequest> asked = requests_.of_chunk(it->first);
    withdrawn.insert(withdrawn.end(), asked.begin(), asked.end());
  }
  for (const PieceRequest& r : withdrawn) {
    requests_.forget_piece(r.id, r.piece);
    if (auto peer = peers_.find(r.request.peer); peer != peers_.end()) send(peer->second, wire::Cancel{r.id, r.piece, 1});
  }
}

// What is held complete of the rendition playing is played first; then the first
// chunk of `to` not known to start within a group of pictures (renditions are cut at the
// same moments, so normally the very next one).
ChunkSeq Engine::switch_point(RenditionId to) const {
  ChunkSeq at = *playhead_;
  while (buffer_.complete({at, playing_})) ++at.value;
  for (const ChunkEntry* entry = buffer_.find({at, to}); entry && !entry->header.keyframe; entry = buffer_.find({at, to}))
    ++at.value;
  return at;
}

void Engine::switched(RenditionId to, TimeMs now) {
  const trust::Rendition* from = ladder_ ? ladder_->find(playing_) : nullptr;
  const trust::Rendition* next = ladder_ ? ladder_->find(to) : nullptr;
  const bool up = from && next && next->bitrate_bps > from->bitrate_bps;
  ++(up ? stats_.switches_up : stats_.switches_down);
  // The viewer's own choices say nothing of the link: the rule's flap guard ignores them.
  if (last_decision_.reason != AbrReason::kManual) switches_.push_back({now, playing_, to, up});
  playing_ = to;
  plan_.reset();
  last_switch_at_ = now;
  announce_playing();
}

void Engine::announce_playing() {
  for (auto& [id, peer] : peers_)
    if (peer.handshaken) send(peer, wire::Playing{playing_});
}

}  // namespace swarmcast::swarm
