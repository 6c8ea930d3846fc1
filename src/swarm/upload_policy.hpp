// Whom we upload to, and how much: the choker (regular slots by reciprocation or by
// score, plus an optimistic slot that lets newcomers prove themselves), token buckets
// for the total and per-peer upload budgets, and the bound on queued requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "core/strong_types.hpp"
#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

struct UploadConfig {
  std::uint32_t regular_slots = 4;
  std::uint32_t optimistic_slots = 1;
  double total_budget_bytes_per_s = 0;     // 0: unlimited
  double per_peer_budget_bytes_per_s = 0;  // 0: unlimited
  std::uint32_t max_queued_requests_per_peer = 32;
  TimeMs optimistic_rotation{30000};
  // Regular slots by score instead of reciprocation: the broadcaster receives nothing
  // back, so it feeds the peers best placed to relay.
  bool rank_by_score = false;
};

inline constexpr std::uint32_t kBroadcasterUploadSlots = 20;

// The brief's broadcaster: about 20 connections, all fed by score.
inline UploadConfig broadcaster_upload_config() {
  UploadConfig config;
  config.regular_slots = kBroadcasterUploadSlots;
  config.optimistic_slots = 0;
  config.rank_by_score = true;
  return config;
}

// A hidden page keeps serving, at this share of the stream's rate rather than none: its
// neighbours lose it as a source gradually instead of at once (every piece they had
// asked of it re-asked elsewhere, often of the broadcaster), while a backgrounded
// phone spends at most half a viewer's worth of uplink and battery on the swarm.
inline constexpr double kHiddenUploadShare = 0.5;

// What a device's rules allow it to upload: nothing, or up to a rate.
struct UploadAllowance {
  bool serves = true;
  double bytes_per_s = 0;  // 0: no limit
  bool operator==(const UploadAllowance&) const = default;
};

// The viewer's choice first (Off: nothing; a cap: that cap, whatever the device), then
// for Auto the device rules: metered or battery_low, nothing; hidden,
// kHiddenUploadShare of stream_bytes_per_s; a declared budget caps the rest.
UploadAllowance upload_allowance(const DeviceConstraints& device, double stream_bytes_per_s);

struct UploadCandidate {
  PeerId id;
  bool interested = false;
  double bytes_per_s_received_from = 0;  // reciprocation
  TimeMs connected_at{0};
  bool can_upload_to = false;  // not banned, channel open
  bool is_newcomer = false;
  double score = 0;  // used when UploadConfig::rank_by_score
};

// Which optimistic_rotation period now falls in: the rotation_value for choose_unchoked.
std::uint64_t optimistic_period(TimeMs now, const UploadConfig& config);

// Interested, contactable peers only, each at most once. Regular slots first, best
// reciprocation (or score) first, ties by ascending id; then up to optimistic_slots
// others, newcomers before the rest, chosen by rotating through them in id order by
// rotation_value.
std::vector<PeerId> choose_unchoked(std::span<const UploadCandidate> candidates, std::uint64_t rotation_value,
                                    const UploadConfig& config);

// Refills at rate_bytes_per_s up to burst_bytes; starts full. A rate of 0 (or any
// non-positive or non-finite rate) is unlimited. A message larger than the burst
// passes when the bucket is full and leaves it in debt, so it cannot starve while the
// long-run rate still holds.
class TokenBucket {
 public:
  explicit TokenBucket(double rate_bytes_per_s, double burst_bytes);

  // The first call sets the time base; a now earlier than the last refill is ignored.
  void refill(TimeMs now);
  bool can_take(std::uint32_t bytes) const;
  bool try_take(std::uint32_t bytes);
  // Negative while in debt; infinite when unlimited.
  double available() const;
  bool unlimited() const { return rate_ == 0; }

 private:
  double rate_;
  double burst_;
  double tokens_;
  TimeMs last_refill_{0};
  bool started_ = false;
};

// One bucket for all uploads and one per peer, each with a burst of burst_seconds of
// its rate. A send is admitted only when both buckets can pay for it.
class UploadBudget {
 public:
  explicit UploadBudget(const UploadConfig& config, double burst_seconds = 1.0);

  bool admit(PeerId peer, std::uint32_t bytes, TimeMs now);
  void forget(PeerId peer);
  // A new total rate (0: unlimited) starts its bucket afresh, full; the same rate
  // changes nothing.
  void set_total_rate(double rate_bytes_per_s);
  std::size_t tracked_peers() const { return per_peer_.size(); }

 private:
  double per_peer_rate_;
  double burst_seconds_;
  double total_rate_;
  TokenBucket total_;
  std::map<PeerId, TokenBucket> per_peer_;
};

// Whether one more request from a peer with queued_for_peer already waiting fits.
bool accept_request(std::uint32_t queued_for_peer, const UploadConfig& config);

}  // namespace swarmcast::swarm
