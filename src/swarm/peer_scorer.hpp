// A peer's score (0..100) from what we measured about it, the role that score earns,
// and the order in which peers are preferred.
//
//   score = 100 * capacity * reliability^2, then capped by device constraints
//   capacity    = weighted mean of throughput, RTT and uptime credits (each 0..1)
//   reliability = success ratio of settled requests, smoothed by a neutral prior
//
// Reliability multiplies rather than adds: a peer that fails one request in three
// wastes the requester's deadline however fast it is, so it cannot reach the backbone.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "core/strong_types.hpp"
#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

// The brief's role thresholds.
inline constexpr double kSuperSeedThreshold = 75;
inline constexpr double kRelayThreshold = 50;

struct ScoreWeights {
  // The stream's rate: 2.5 Mbit/s. Throughput credit is sqrt(rate / (4 x this)),
  // capped at 1: half marks for keeping up with the stream, full marks at 4x.
  double stream_bytes_per_s = 312500;
  double full_throughput_multiple = 4;

  // RTT credit: 1 at or below rtt_good_ms, 0 at or above rtt_bad_ms, linear between;
  // an unmeasured RTT earns unmeasured_rtt_credit.
  double rtt_good_ms = 50;
  double rtt_bad_ms = 400;
  double unmeasured_rtt_credit = 0.5;

  // Uptime credit grows linearly to 1 over this long: a peer that has stayed five
  // minutes is likely to stay through the next chunks.
  TimeMs full_uptime{5 * 60 * 1000};

  // Relative weights of the capacity credits (normalised by their sum).
  double throughput_weight = 50;
  double rtt_weight = 20;
  double uptime_weight = 30;

  // Beta prior on the success ratio: prior_requests pseudo-requests at prior_success,
  // so a newcomer (0 of 0) reads as a peer that served half its requests.
  double prior_success = 0.5;
  double prior_requests = 4;

  // Caps from what the device declares. A peer that cannot upload stays under the
  // relay threshold; one that uploads at a reduced rate (hidden, or an upload budget
  // below the stream rate) stays under the super-seed threshold. A declaration only
  // ever lowers a score: what it claims beyond that counts for nothing once its
  // delivery is measured.
  double no_upload_cap = 40;
  double low_budget_cap = 70;
};

// 0..100; 0 for a peer that sent a bad piece. Non-finite or negative measurements
// read as unmeasured.
double score(const PeerStats& stats, TimeMs now, const ScoreWeights& weights = {});

// Super-seed at 75+, relay at 50+, leaf below; always leaf for a device that cannot
// upload. The broadcaster role is never earned by score.
Role role_for(double score, const DeviceConstraints& device);
// The role as the server, the pages and the simulator name it ("super-seed", ...).
const char* role_name(Role role);

// Per-piece Merkle proofs attribute a bad piece exactly, so one is enough.
bool should_ban(const PeerStats& stats);

// Best first; equal scores in ascending PeerId order. Banned peers score 0 and come
// last; dropping them is the caller's call (should_ban).
std::vector<PeerId> rank_peers(std::span<const std::pair<PeerId, PeerStats>> peers, TimeMs now,
                               const ScoreWeights& weights = {});

// The peers a broadcaster stripes a new chunk across, best first: by role (super-seeds,
// then relays, then leaves), and within a role by upload capacity (measured delivery,
// else the declared budget; no limit known comes first). Scores saturate at a few
// times the stream rate, but a stripe fans out to every neighbour, so a 90 Mbit/s
// relay passes it on several times sooner than a 15 Mbit/s one of the same score.
std::vector<PeerId> rank_stripe_relays(std::span<const std::pair<PeerId, PeerStats>> peers, TimeMs now,
                                       const ScoreWeights& weights = {});

}  // namespace swarmcast::swarm
