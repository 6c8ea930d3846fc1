// A model of the viewer's player, kept by the engine so that every run (browser,
// simulator, tests) measures startup, stalls and glass-to-glass latency the same way.
// Playback starts when the first chunk is handed over; from then on a chunk captured
// at C must be in the player by anchor + (C - C0). While the chunk at the playhead is
// missing past its deadline the player is stalled, and every later deadline moves by
// the stall. Skipping a chunk jumps the clock forward by its duration; a player that
// changes its target latency shifts every later deadline by the change.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/strong_types.hpp"

namespace swarmcast::swarm {

class PlaybackClock {
 public:
  void join(TimeMs now) { joined_at_ = now; }
  bool started() const { return first_capture_.has_value(); }

  // When a chunk captured at `capture` must be in the player. Precondition: started().
  TimeMs deadline(TimeMs capture) const { return TimeMs{anchor_.value + capture.value - first_capture_->value}; }

  // The chunk at the playhead went to the player; returns its glass-to-glass latency
  // (the moment it starts playing minus its capture time; one clock in the simulator).
  // The first chunk may start start_offset_ms into it (joining mid-chunk), or, for a
  // negative offset, that long after now (handed over ahead of its moment).
  std::int64_t hand_over(TimeMs capture, TimeMs now, std::int64_t start_offset_ms = 0);
  // The chunk at the playhead (captured at `capture`) is still missing at `now`.
  void waiting(TimeMs capture, TimeMs now);
  // The chunk at the playhead, `duration_ms` long, will never be played.
  void skip(std::uint32_t duration_ms) { anchor_.value -= duration_ms; }
  // The player now plays `ms` later than it did (earlier, for a negative `ms`): it held
  // its picture to buffer more, or jumped towards the live edge.
  void shift(std::int64_t ms) { anchor_.value += ms; }

  std::optional<std::int64_t> startup_ms() const { return startup_ms_; }
  std::int64_t stalled_ms() const { return stalled_ms_; }
  std::uint32_t stalls() const { return stalls_; }
  std::int64_t watched_ms(TimeMs now) const { return started() ? now.value - started_at_.value : 0; }
  const std::vector<std::int64_t>& latencies_ms() const { return latencies_ms_; }

 private:
  TimeMs joined_at_{0};
  TimeMs started_at_{0};
  TimeMs anchor_{0};
  std::optional<TimeMs> first_capture_;
  std::optional<std::int64_t> startup_ms_;
  TimeMs stall_accounted_until_{0};
  bool stalled_ = false;
  std::int64_t stalled_ms_ = 0;
  std::uint32_t stalls_ = 0;
  std::vector<std::int64_t> latencies_ms_;
};

}  // namespace swarmcast::swarm
