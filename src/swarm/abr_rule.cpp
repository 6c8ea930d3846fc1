#include "swarm/abr_rule.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace swarmcast::swarm {
namespace {

using trust::Rendition;

double bytes_per_s_of(const Rendition& r) { return static_cast<double>(r.bitrate_bps) / 8.0; }

// The renditions the device decodes and can get (the current one, or one held near),
// highest bitrate first (the list's order).
class Levels {
 public:
  explicit Levels(const AbrInput& in) {
    for (const Rendition& r : in.ladder)
      if (r.id.value < trust::kMaxRenditions && !in.undecodable.test(r.id.value) &&
          (r.id == in.current || !in.unreachable.test(r.id.value)) && size_ < levels_.size())
        levels_[size_++] = &r;
  }
  std::size_t size() const { return size_; }
  const Rendition& operator[](std::size_t i) const { return *levels_[i]; }
  const Rendition& lowest() const { return *levels_[size_ - 1]; }
  const Rendition* find(RenditionId id) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (levels_[i]->id == id) return levels_[i];
    return nullptr;
  }
  // The highest level whose bitrate, times `factor`, fits in `bytes_per_s`; the lowest
  // when none does.
  const Rendition& highest_within(double bytes_per_s, double factor) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (bytes_per_s_of(*levels_[i]) * factor <= bytes_per_s) return *levels_[i];
    return lowest();
  }

 private:
  std::array<const Rendition*, trust::kMaxRenditions> levels_{};
  std::size_t size_ = 0;
};

// The median rate over the last down_window_ms (the newest sample at least): it follows
// a drop once half the window has seen it, and one odd sample does not move it. None
// when the newest sample is stale.
std::optional<double> recent_rate(const AbrInput& in, const AbrConfig& config) {
  if (in.observations.empty() || in.now.value - in.observations.back().at.value > config.stale_rate_ms) return std::nullopt;
  std::vector<double> rates;
  for (auto it = in.observations.rbegin(); it != in.observations.rend(); ++it) {
    if (!rates.empty() && in.now.value - it->at.value > config.down_window_ms) break;
    rates.push_back(it->delivery_bytes_per_s);
  }
  const auto middle = rates.begin() + static_cast<std::ptrdiff_t>(rates.size() / 2);
  std::nth_element(rates.begin(), middle, rates.end());
  if (rates.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(rates.begin(), middle)) / 2;
}

// The buffer is lower now than at the start of the down window.
bool buffer_falling(const AbrInput& in, const AbrConfig& config) {
  const AbrObservation* oldest_recent = nullptr;
  for (auto it = in.observations.rbegin(); it != in.observations.rend(); ++it) {
    if (in.now.value - it->at.value > config.down_window_ms) break;
    oldest_recent = &*it;
  }
  return oldest_recent && in.buffer_ms < oldest_recent->buffer_ms;
}

// The rate sustained over an unbroken run of samples reaching back up_sustain_ms from
// now: their least, or with a deep buffer their median; none when the samples do not
// cover that long (too few, a gap, or stale).
std::optional<double> sustained_rate(const AbrInput& in, const AbrConfig& config) {
  const std::int64_t start = in.now.value - config.up_sustain_ms;
  // The samples are kept only for a median: the rule runs every tick of every viewer.
  const bool deep = in.buffer_ms >= config.deep_buffer_ms;
  std::optional<double> least;
  std::vector<double> rates;
  std::int64_t later = in.now.value;
  for (auto it = in.observations.rbegin(); it != in.observations.rend(); ++it) {
    if (later - it->at.value > config.max_sample_gap_ms) return std::nullopt;
    least = std::min(least.value_or(it->delivery_bytes_per_s), it->delivery_bytes_per_s);
    if (deep) rates.push_back(it->delivery_bytes_per_s);
    if (it->at.value <= start) {
      if (!deep) return least;
      const auto middle = rates.begin() + static_cast<std::ptrdiff_t>(rates.size() / 2);
      std::nth_element(rates.begin(), middle, rates.end());
      return *middle;
    }
    later = it->at.value;
  }
  return std::nullopt;
}

std::int64_t up_hold_ms(const AbrInput& in, const AbrConfig& config) {
  const auto downs = std::count_if(in.switches.begin(), in.switches.end(), [&](const AbrSwitch& s) {
    return !s.up && in.now.value - s.at.value < config.flap_window_ms;
  });
  std::int64_t hold = config.up_hold_ms;
  for (auto i = 0; i < downs && hold < config.max_up_hold_ms; ++i) hold *= 2;
  return std::min<std::int64_t>(hold, config.max_up_hold_ms);
}

bool held_after_switch(const AbrInput& in, const AbrConfig& config) {
  return !in.switches.empty() && in.now.value - in.switches.back().at.value < up_hold_ms(in, config);
}

// The highest level below `current`, if any.
const Rendition* next_down(const Levels& levels, const Rendition& current) {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i].bitrate_bps < current.bitrate_bps) return &levels[i];
  return nullptr;
}

}  // namespace

AbrDecision choose_rendition(const AbrInput& in, const AbrConfig& config) {
  const Levels levels(in);
  if (levels.size() == 0) return {in.current, AbrReason::kNothingDecodable};
  if (in.manual && levels.find(*in.manual)) return {*in.manual, AbrReason::kManual};
  if (levels.size() == 1) return {levels[0].id, AbrReason::kOnlyChoice};

  const std::optional<double> rate = recent_rate(in, config);
  const Rendition* current = levels.find(in.current);
  const auto carried = [&]() -> const Rendition& {
    return rate ? levels.highest_within(*rate, 1.0 / config.carry_fraction) : levels.lowest();
  };
  if (!current) return {carried().id, AbrReason::kUnavailable};
  if (!in.starting && in.unreachable.test(current->id.value) && in.buffer_ms < config.panic_buffer_ms) {
    // Nothing of the current level comes: the best held level the rate carries, if any.
    const Rendition& within = carried();
    for (std::size_t i = 0; i < levels.size(); ++i)
      if (levels[i].id != current->id && !in.unreachable.test(levels[i].id.value) && levels[i].bitrate_bps <= within.bitrate_bps)
        return {levels[i].id, AbrReason::kUnavailable};
  }
  if (in.starting) return rate && carried().id != current->id ? AbrDecision{carried().id, AbrReason::kStart}
                                                              : AbrDecision{current->id, AbrReason::kSteady};

  if (in.buffer_ms < config.panic_buffer_ms && carried().bitrate_bps < current->bitrate_bps)
    return {carried().id, AbrReason::kPanic};
  if (in.starved_ms >= config.starved_down_ms && in.arriving_bytes_per_s &&
      *in.arriving_bytes_per_s < bytes_per_s_of(*current))
    if (const Rendition* lower = next_down(levels, *current)) {
      const Rendition& within = levels.highest_within(*in.arriving_bytes_per_s, 1.0 / config.carry_fraction);
      return {within.bitrate_bps < lower->bitrate_bps ? within.id : lower->id, AbrReason::kPanic};
    }
  if (rate && *rate < bytes_per_s_of(*current) && buffer_falling(in, config) &&
      carried().bitrate_bps < current->bitrate_bps)
    return {carried().id, AbrReason::kDown};

  const std::optional<double> sustained = sustained_rate(in, config);
  if (sustained && in.buffer_ms >= config.up_buffer_floor_ms) {
    const Rendition& best = levels.highest_within(*sustained, config.up_headroom);
    if (best.bitrate_bps > current->bitrate_bps)
      return held_after_switch(in, config) ? AbrDecision{in.current, AbrReason::kHeld} : AbrDecision{best.id, AbrReason::kUp};
  }
  return {in.current, AbrReason::kSteady};
}

const char* to_string(AbrReason reason) {
  switch (reason) {
    case AbrReason::kSteady: return "steady";
    case AbrReason::kStart: return "start";
    case AbrReason::kUp: return "up";
    case AbrReason::kHeld: return "held";
    case AbrReason::kDown: return "down";
    case AbrReason::kPanic: return "panic";
    case AbrReason::kManual: return "manual";
    case AbrReason::kUnavailable: return "unavailable";
    case AbrReason::kOnlyChoice: return "only_choice";
    case AbrReason::kNothingDecodable: return "nothing_decodable";
  }
  return "unknown";
}

}  // namespace swarmcast::swarm
