// The bitrate rule: which rendition a viewer should fetch and play next. A throughput
// rule with a buffer guard, as one pure function over what the caller observed, so the
// engine, the simulator and the tests run the same decision:
// - up only with headroom: every delivery-rate sample over the last up_sustain_ms
//   (half of them, with a deep buffer) carries the higher level up_headroom times over,
//   the buffer is above a floor, and the last switch is up_hold_ms behind (doubled for
//   every switch down in the last flap_window_ms, so a link that keeps failing a level
//   is trusted with it less);
// - down before the buffer runs out: the recent rate (the median over down_window_ms)
//   is below the current level's
//   bitrate while the buffer falls, or the buffer is under a panic floor; either way
//   to the level the recent rate carries, at once (no hold: a stall costs more than a
//   switch); and a buffer under that floor for starved_down_ms, while what arrives now
//   is below the level's bitrate, goes down whatever the smoothed rate says;
// - no oscillation: up and down use different thresholds (headroom above, the bitrate
//   itself below) and different windows, and ups wait out the hold;
// - a manual choice overrides it, and renditions the device cannot decode, or that
//   nobody near holds, are skipped.
//
// The rate is the delivery rate while fetching (bytes over the time requests were
// outstanding, as Engine::measure_delivery measures it), not bytes per wall-clock
// second: a viewer that fetches only its stream would otherwise never measure more than
// the stream's own rate and never find headroom. It is the link's rate, one figure for
// all renditions: in one swarm across levels, the viewer's download is the bottleneck
// whichever rendition it fetches.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <span>

#include "core/strong_types.hpp"
#include "trust/rendition_ladder.hpp"

namespace swarmcast::swarm {

// One sample, taken by the caller at its own pace (each tick, or each chunk).
struct AbrObservation {
  TimeMs at;
  double delivery_bytes_per_s = 0;  // see above; 0 when nothing was fetched
  std::uint32_t buffer_ms = 0;      // media ahead of the playhead when it was taken
};

struct AbrSwitch {
  TimeMs at;
  RenditionId from;
  RenditionId to;
  bool up = false;  // to a higher bitrate
};

struct AbrConfig {
  double up_headroom = 1.4;
  std::uint32_t up_sustain_ms = 4000;
  // Samples further apart than this do not make a sustained period (a gap is unknown).
  std::uint32_t max_sample_gap_ms = 1000;
  std::uint32_t up_buffer_floor_ms = 1000;
  // With this much media ahead, a switch up that fails costs no stall (the rule goes
  // down again long before the buffer runs out), so headroom is judged on the median
  // of the samples, not their least: samples from before the link widened, or an odd
  // slow one (a peer slow to serve), do not hold the viewer down. After its stall on a
  // real 1 Mbit/s cap, a viewer 10 s ahead went up 1-3.4 s after the cap was lifted,
  // not once the last sample of the cap had left the window (tests/field/abr.mjs). At
  // the live edge (1-2 s ahead) the least sample still decides.
  std::uint32_t deep_buffer_ms = 4000;
  std::uint32_t up_hold_ms = 4000;
  std::uint32_t flap_window_ms = 60'000;
  std::uint32_t max_up_hold_ms = 32'000;
  std::uint32_t down_window_ms = 2000;
  // The level the rate carries: the highest whose bitrate is at most this share of it.
  double carry_fraction = 0.85;
  std::uint32_t panic_buffer_ms = 400;
  // Under the panic floor this long (since the last switch), with what arrives now
  // below the level's rate, the level is not carried whatever the smoothed rate says:
  // down, to the level what arrives carries or at least one. The smoothed rate follows
  // samples, and on a link that has just narrowed the samples are what was queued on it
  // at the old rate (tests/field/abr.mjs).
  std::uint32_t starved_down_ms = 1000;
  // A newest sample older than this is no measure of the link: no switch up on it,
  // and a panic goes to the lowest level.
  std::uint32_t stale_rate_ms = 3000;
};

struct AbrInput {
  TimeMs now;
  std::span<const trust::Rendition> ladder;  // the signed list's order: highest bitrate first
  RenditionId current;
  std::uint32_t buffer_ms = 0;                      // now
  // How long the buffer has been under the panic floor, counted from the last switch.
  std::uint32_t starved_ms = 0;
  // What arrived over the last second, when requests were outstanding all that second
  // (the link was asked for more than it brought); none otherwise. A viewer starved
  // with nothing to ask waits on its peers, not on its link.
  std::optional<double> arriving_bytes_per_s;
  // Nothing played yet: the buffer is empty by nature, not running out, so the start
  // is the level the rate carries (the current one while there is no measure).
  bool starting = false;
  std::span<const AbrObservation> observations;     // oldest first
  // The switches the rule made, oldest first; a manual choice's are no sign of the link.
  std::span<const AbrSwitch> switches;
  std::optional<RenditionId> manual;                // the viewer's fixed choice; none: auto
  std::bitset<trust::kMaxRenditions> undecodable;   // by rendition id
  // Renditions nobody near holds (by id): in a swarm a switch to one would wait for
  // chunks that do not come, so the rule does not choose them. The current one stays a
  // choice; when nobody holds it either and the buffer runs out, the rule moves to a level
  // that is held.
  std::bitset<trust::kMaxRenditions> unreachable;
};

enum class AbrReason : std::uint8_t {
  kSteady,            // no reason to move
  kStart,             // before playing: the level the link's rate carries
  kUp,                // sustained headroom
  kHeld,              // headroom, but within the hold after a switch
  kDown,              // the rate is below the current level and the buffer falls
  kPanic,             // the buffer is under the panic floor, or has been for long
  kManual,            // the viewer's choice
  kUnavailable,       // the current rendition is not listed, cannot be decoded, or
                      // is held by nobody near while the buffer runs out
  kOnlyChoice,        // one decodable rendition
  kNothingDecodable,  // an empty list, or none the device decodes: stay
};

struct AbrDecision {
  RenditionId target;
  AbrReason reason = AbrReason::kSteady;
  bool operator==(const AbrDecision&) const = default;
};

AbrDecision choose_rendition(const AbrInput& input, const AbrConfig& config = {});

// Stable snake_case names, for stats.
const char* to_string(AbrReason reason);

}  // namespace swarmcast::swarm
