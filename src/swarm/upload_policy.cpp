#include "swarm/upload_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace swarmcast::swarm {
namespace {

double positive_or_zero(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

struct Entry {
  PeerId id;
  double key;
  bool newcomer;
};

// The interested, contactable candidates, each id once (its best entry), best first
// and ties by ascending id.
std::vector<Entry> eligible_by_rank(std::span<const UploadCandidate> candidates, bool by_score) {
  std::vector<Entry> entries;
  for (const UploadCandidate& c : candidates) {
    if (!c.interested || !c.can_upload_to) continue;
    const double key = by_score ? c.score : c.bytes_per_s_received_from;
    // NaN would break the sort's ordering; an unmeasured rate ranks as zero.
    entries.push_back({c.id, std::isnan(key) ? 0 : key, c.is_newcomer});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.id != b.id ? a.id < b.id : a.key > b.key;
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const Entry& a, const Entry& b) { return a.id == b.id; }),
                entries.end());
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key > b.key : a.id < b.id;
  });
  return entries;
}

// Appends up to `slots` of pool (in id order) to out, starting at a window that
// advances with rotation so successive periods walk through the whole pool.
std::uint32_t take_rotating(std::vector<PeerId> pool, std::uint32_t slots, std::uint64_t rotation,
                            std::vector<PeerId>& out) {
  if (pool.empty() || slots == 0) return 0;
  std::sort(pool.begin(), pool.end());
  const std::size_t size = pool.size();
  const std::size_t take = std::min<std::size_t>(slots, size);
  const auto start = static_cast<std::size_t>(rotation % size * take % size);
  for (std::size_t i = 0; i < take; ++i) out.push_back(pool[(start + i) % size]);
  return static_cast<std::uint32_t>(take);
}

}  // namespace

std::uint64_t optimistic_period(TimeMs now, const UploadConfig& config) {
  if (config.optimistic_rotation.value <= 0 || now.value < 0) return 0;
  return static_cast<std::uint64_t>(now.value / config.optimistic_rotation.value);
}

std::vector<PeerId> choose_unchoked(std::span<const UploadCandidate> candidates, std::uint64_t rotation_value,
                                    const UploadConfig& config) {
  const std::vector<Entry> ranked = eligible_by_rank(candidates, config.rank_by_score);
  const std::size_t regular = std::min<std::size_t>(config.regular_slots, ranked.size());

  std::vector<PeerId> chosen;
  chosen.reserve(regular + config.optimistic_slots);
  for (std::size_t i = 0; i < regular; ++i) chosen.push_back(ranked[i].id);

  std::vector<PeerId> newcomers;
  std::vector<PeerId> others;
  for (std::size_t i = regular; i < ranked.size(); ++i) {
    (ranked[i].newcomer ? newcomers : others).push_back(ranked[i].id);
  }
  std::uint32_t slots = config.optimistic_slots;
  slots -= take_rotating(std::move(newcomers), slots, rotation_value, chosen);
  take_rotating(std::move(others), slots, rotation_value, chosen);
  return chosen;
}

TokenBucket::TokenBucket(double rate_bytes_per_s, double burst_bytes)
    : rate_(positive_or_zero(rate_bytes_per_s)),
      burst_(positive_or_zero(burst_bytes)),
      tokens_(burst_) {}

void TokenBucket::refill(TimeMs now) {
  if (!started_) {
    started_ = true;
    last_refill_ = now;
    return;
  }
  if (now <= last_refill_) return;
  const double elapsed_s = static_cast<double>(now.value - last_refill_.value) / 1000;
  tokens_ = std::min(burst_, tokens_ + rate_ * elapsed_s);
  last_refill_ = now;
}

bool TokenBucket::can_take(std::uint32_t bytes) const {
  return unlimited() || tokens_ >= std::min(static_cast<double>(bytes), burst_);
}

bool TokenBucket::try_take(std::uint32_t bytes) {
  if (!can_take(bytes)) return false;
  if (!unlimited()) tokens_ -= bytes;
  return true;
}

double TokenBucket::available() const {
  return unlimited() ? std::numeric_limits<double>::infinity() : tokens_;
}

UploadAllowance upload_allowance(const DeviceConstraints& device, double stream_bytes_per_s) {
  const double declared = device.upload_budget_bytes_per_s;
  switch (device.choice) {
    case UploadChoice::kOff: return {false, 0};
    case UploadChoice::kCap: return {declared > 0, declared};
    case UploadChoice::kAuto: break;
  }
  if (!device.can_upload()) return {false, 0};
  if (!device.hidden) return {true, declared};
  // A rate of 0 would read as "no limit": a hidden page gets at least a byte a second.
  const double hidden_cap = std::max(1.0, kHiddenUploadShare * positive_or_zero(stream_bytes_per_s));
  return {true, declared > 0 ? std::min(declared, hidden_cap) : hidden_cap};
}

UploadBudget::UploadBudget(const UploadConfig& config, double burst_seconds)
    : per_peer_rate_(positive_or_zero(config.per_peer_budget_bytes_per_s)),
      burst_seconds_(positive_or_zero(burst_seconds)),
      total_rate_(positive_or_zero(config.total_budget_bytes_per_s)),
      total_(total_rate_, total_rate_ * burst_seconds_) {}

void UploadBudget::set_total_rate(double rate_bytes_per_s) {
  const double rate = positive_or_zero(rate_bytes_per_s);
  if (rate == total_rate_) return;
  total_rate_ = rate;
  total_ = TokenBucket(rate, rate * burst_seconds_);
}

bool UploadBudget::admit(PeerId peer, std::uint32_t bytes, TimeMs now) {
  total_.refill(now);
  if (per_peer_rate_ == 0) return total_.try_take(bytes);
  TokenBucket& own = per_peer_.try_emplace(peer, per_peer_rate_, per_peer_rate_ * burst_seconds_).first->second;
  own.refill(now);
  if (!total_.can_take(bytes) || !own.can_take(bytes)) return false;
  total_.try_take(bytes);
  own.try_take(bytes);
  return true;
}

void UploadBudget::forget(PeerId peer) { per_peer_.erase(peer); }

bool accept_request(std::uint32_t queued_for_peer, const UploadConfig& config) {
  return queued_for_peer < config.max_queued_requests_per_peer;
}

}  // namespace swarmcast::swarm
