#include "swarm/peer_scorer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

namespace swarmcast::swarm {
namespace {

// A measurement we can use: finite and positive; anything else reads as "none".
double measured(double value) { return std::isfinite(value) && value > 0 ? value : 0; }

double clamp01(double value) { return std::isfinite(value) ? std::clamp(value, 0.0, 1.0) : 0; }

double throughput_credit(double bytes_per_s, const ScoreWeights& w) {
  const double full = w.stream_bytes_per_s * w.full_throughput_multiple;
  const double rate = measured(bytes_per_s);
  if (!(full > 0)) return rate > 0 ? 1 : 0;
  return std::sqrt(clamp01(rate / full));
}

double rtt_credit(double rtt_ms, const ScoreWeights& w) {
  const double rtt = measured(rtt_ms);
  if (rtt == 0) return clamp01(w.unmeasured_rtt_credit);
  if (rtt <= w.rtt_good_ms) return 1;
  if (rtt >= w.rtt_bad_ms) return 0;
  return clamp01((w.rtt_bad_ms - rtt) / (w.rtt_bad_ms - w.rtt_good_ms));
}

double uptime_credit(TimeMs connected_at, TimeMs now, const ScoreWeights& w) {
  if (now <= connected_at) return 0;
  if (w.full_uptime.value <= 0) return 1;
  return clamp01(static_cast<double>(now.value - connected_at.value) /
                 static_cast<double>(w.full_uptime.value));
}

// Over settled requests only (served or failed): requests still in flight say
// nothing yet, and a peer we pipeline deeply to must not look worse for it.
double reliability(const PeerStats& stats, const ScoreWeights& w) {
  const double prior_n = measured(w.prior_requests);
  const double served = stats.requests_served;
  const double settled = served + stats.requests_failed;
  if (settled + prior_n == 0) return clamp01(w.prior_success);
  return clamp01((served + prior_n * clamp01(w.prior_success)) / (settled + prior_n));
}

double capacity(const PeerStats& stats, TimeMs now, const ScoreWeights& w) {
  const double wt = measured(w.throughput_weight);
  const double wr = measured(w.rtt_weight);
  const double wu = measured(w.uptime_weight);
  const double total = wt + wr + wu;
  if (total == 0) return 0;
  // What it delivered to us when we have measured it; until then (and always, for the
  // broadcaster, which receives nothing) the upload budget it declared.
  const double throughput = measured(stats.delivery_bytes_per_s) > 0 ? stats.delivery_bytes_per_s
                                                                     : stats.device.upload_budget_bytes_per_s;
  return (wt * throughput_credit(throughput, w) + wr * rtt_credit(stats.rtt_ms, w) +
          wu * uptime_credit(stats.connected_at, now, w)) /
         total;
}

}  // namespace

double score(const PeerStats& stats, TimeMs now, const ScoreWeights& weights) {
  if (should_ban(stats)) return 0;
  const double r = reliability(stats, weights);
  double result = 100 * capacity(stats, now, weights) * r * r;
  const DeviceConstraints& device = stats.device;
  if (!device.can_upload()) result = std::min(result, weights.no_upload_cap);
  if (device.hidden ||
      (device.upload_budget_bytes_per_s > 0 && device.upload_budget_bytes_per_s < weights.stream_bytes_per_s)) {
    result = std::min(result, weights.low_budget_cap);
  }
  return std::isfinite(result) ? std::clamp(result, 0.0, 100.0) : 0;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::kBroadcaster: return "broadcaster";
    case Role::kSuperSeed: return "super-seed";
    case Role::kRelay: return "relay";
    case Role::kLeaf: return "leaf";
  }
  return "leaf";
}

Role role_for(double peer_score, const DeviceConstraints& device) {
  if (!device.can_upload()) return Role::kLeaf;
  if (peer_score >= kSuperSeedThreshold) return Role::kSuperSeed;
  if (peer_score >= kRelayThreshold) return Role::kRelay;
  return Role::kLeaf;
}

bool should_ban(const PeerStats& stats) { return stats.bad_pieces > 0; }

std::vector<PeerId> rank_peers(std::span<const std::pair<PeerId, PeerStats>> peers, TimeMs now,
                               const ScoreWeights& weights) {
  std::vector<std::pair<double, PeerId>> scored;
  scored.reserve(peers.size());
  for (const auto& [id, stats] : peers) scored.emplace_back(score(stats, now, weights), id);
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return a.second < b.second;
  });
  std::vector<PeerId> ranked;
  ranked.reserve(scored.size());
  for (const auto& entry : scored) ranked.push_back(entry.second);
  return ranked;
}

std::vector<PeerId> rank_stripe_relays(std::span<const std::pair<PeerId, PeerStats>> peers, TimeMs now,
                                       const ScoreWeights& weights) {
  struct Candidate {
    Role role;
    double upload;
    double score;
    PeerId id;
  };
  std::vector<Candidate> candidates;
  candidates.reserve(peers.size());
  for (const auto& [id, stats] : peers) {
    const double s = score(stats, now, weights);
    // Unmeasured and undeclared is no known limit: ahead of any declared one, or a
    // viewer declaring a reduced rate (hidden, or capped by its viewer) would rank
    // above every viewer that declares none.
    const double declared = measured(stats.device.upload_budget_bytes_per_s);
    const double upload = measured(stats.delivery_bytes_per_s) > 0 ? stats.delivery_bytes_per_s
                          : declared > 0                           ? declared
                                                                   : std::numeric_limits<double>::infinity();
    candidates.push_back({role_for(s, stats.device), upload, s, id});
  }
  // Role enumerators run from the most to the least able to serve.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.role, b.upload, b.score, a.id) < std::tie(b.role, a.upload, a.score, b.id);
  });
  std::vector<PeerId> ranked;
  ranked.reserve(candidates.size());
  for (const Candidate& c : candidates) ranked.push_back(c.id);
  return ranked;
}

}  // namespace swarmcast::swarm
