#include "swarm/playback_clock.hpp"

#include <algorithm>

namespace swarmcast::swarm {

std::int64_t PlaybackClock::hand_over(TimeMs capture, TimeMs now, std::int64_t start_offset_ms) {
  if (!started()) {
    // Starting into the chunk is as if it had started playing that long ago.
    first_capture_ = capture;
    anchor_ = TimeMs{now.value - start_offset_ms};
    started_at_ = now;
    startup_ms_ = now.value - joined_at_.value;
    const std::int64_t latency = now.value - capture.value - start_offset_ms;
    latencies_ms_.push_back(latency);
    return latency;
  }
  waiting(capture, now);  // account any stall up to this moment
  stalled_ = false;
  const std::int64_t plays_at = std::max(now.value, deadline(capture).value);
  const std::int64_t latency = plays_at - capture.value;
  latencies_ms_.push_back(latency);
  return latency;
}

void PlaybackClock::waiting(TimeMs capture, TimeMs now) {
  if (!started()) return;
  const TimeMs due = deadline(capture);
  if (now.value <= due.value) return;
  if (!stalled_) {
    stalled_ = true;
    ++stalls_;
    stall_accounted_until_ = due;
  }
  const std::int64_t more = now.value - std::max(due.value, stall_accounted_until_.value);
  if (more <= 0) return;
  stalled_ms_ += more;
  anchor_.value += more;  // the frozen player pushes every later deadline back
  stall_accounted_until_ = now;
}

}  // namespace swarmcast::swarm
