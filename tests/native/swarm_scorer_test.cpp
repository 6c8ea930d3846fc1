// Peer scores and the roles they earn: who becomes backbone, who stays at the edge,
// and what a score may never do (rise with failures, fall with throughput).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "swarm/peer_scorer.hpp"

namespace swarmcast::swarm {
namespace {

constexpr TimeMs kNow{60LL * 60 * 1000};  // an hour into the stream

// A peer as measured: throughput in kbit/s, RTT in ms (0: unmeasured), `served` of
// `sent` requests answered (the rest failed), connected `uptime_s` seconds ago.
PeerStats peer(double throughput_kbps, double rtt_ms, std::uint32_t served, std::uint32_t sent,
               double uptime_s) {
  PeerStats stats;
  stats.connected_at = TimeMs{kNow.value - static_cast<std::int64_t>(uptime_s * 1000)};
  stats.delivery_bytes_per_s = throughput_kbps * 1000 / 8;
  stats.rtt_ms = rtt_ms;
  stats.requests_sent = sent;
  stats.requests_served = served;
  stats.requests_failed = sent - served;
  return stats;
}

PeerStats fast_reliable_long_lived() { return peer(10000, 30, 500, 500, 600); }
PeerStats average() { return peer(5000, 100, 95, 100, 180); }

PeerStats with_device(PeerStats stats, DeviceConstraints device) {
  stats.device = device;
  return stats;
}

double score_of(const PeerStats& stats) { return score(stats, kNow); }
Role role_of(const PeerStats& stats) { return role_for(score_of(stats), stats.device); }

TEST(PeerScore, FastReliableLongLivedPeerIsASuperSeed) {
  EXPECT_GT(score_of(fast_reliable_long_lived()), 95);
  EXPECT_EQ(role_of(fast_reliable_long_lived()), Role::kSuperSeed);
}

TEST(PeerScore, AveragePeerIsARelay) { EXPECT_EQ(role_of(average()), Role::kRelay); }

TEST(PeerScore, SlowLossyOrNewPeersAreLeaves) {
  EXPECT_EQ(role_of(peer(800, 250, 90, 100, 600)), Role::kLeaf) << "slow";
  EXPECT_EQ(role_of(peer(10000, 30, 60, 100, 600)), Role::kLeaf) << "fast but fails 40 %";
  EXPECT_EQ(role_of(peer(10000, 0, 3, 3, 20)), Role::kLeaf) << "twenty seconds old";
  EXPECT_EQ(role_of(peer(0, 0, 0, 0, 0)), Role::kLeaf) << "just connected";
}

TEST(PeerScore, NewcomerWithNoRequestsIsNeutral) {
  const double newcomer = score_of(peer(5000, 100, 0, 0, 600));
  EXPECT_GT(newcomer, score_of(peer(5000, 100, 0, 20, 600)));
  EXPECT_LT(newcomer, score_of(peer(5000, 100, 20, 20, 600)));
  EXPECT_DOUBLE_EQ(newcomer, score_of(peer(5000, 100, 10, 20, 600)));
}

TEST(PeerScore, UnmeasuredRttIsNeutral) {
  EXPECT_GT(score_of(peer(5000, 0, 95, 100, 180)), score_of(peer(5000, 399, 95, 100, 180)));
  EXPECT_LT(score_of(peer(5000, 0, 95, 100, 180)), score_of(peer(5000, 20, 95, 100, 180)));
}

TEST(PeerScore, InFlightRequestsDoNotCount) {
  PeerStats pipelined = fast_reliable_long_lived();
  pipelined.requests_sent += 32;
  EXPECT_DOUBLE_EQ(score_of(pipelined), score_of(fast_reliable_long_lived()));
}

TEST(PeerScore, DeviceThatCannotUploadIsALeafWhateverItsThroughput) {
  const DeviceConstraints metered{.metered = true};
  const DeviceConstraints battery_low{.battery_low = true};
  const DeviceConstraints off{.upload_budget_bytes_per_s = 10'000'000, .choice = UploadChoice::kOff};
  for (const DeviceConstraints& device : {metered, battery_low, off}) {
    for (double kbps : {0.0, 2500.0, 10000.0, 100000.0}) {
      const PeerStats stats = with_device(peer(kbps, 20, 1000, 1000, 3600), device);
      EXPECT_LT(score_of(stats), kRelayThreshold) << kbps;
      EXPECT_EQ(role_of(stats), Role::kLeaf) << kbps;
    }
    EXPECT_EQ(role_for(100, device), Role::kLeaf);
  }
}

// A hidden page still uploads, at a reduced rate: a relay at most, never the backbone.
TEST(PeerScore, HiddenDeviceIsARelayAtMostWhateverItsThroughput) {
  const PeerStats hidden = with_device(fast_reliable_long_lived(), DeviceConstraints{.hidden = true});
  EXPECT_LT(score_of(hidden), kSuperSeedThreshold);
  EXPECT_EQ(role_of(hidden), Role::kRelay);
}

// The viewer's choice of a cap wins over the device rules: capped on mobile data it
// still relays, held below the backbone by its cap.
TEST(PeerScore, ACapChosenOnAMeteredDeviceUploads) {
  const PeerStats capped = with_device(
      fast_reliable_long_lived(),
      DeviceConstraints{.metered = true, .upload_budget_bytes_per_s = 62'500, .choice = UploadChoice::kCap});
  EXPECT_EQ(role_of(capped), Role::kRelay);
}

// What a peer claims never lifts it over what its peers measured: claiming no limit, or
// a huge budget, while hidden or metered earns exactly what saying nothing would.
TEST(PeerScore, AClaimOfUnlimitedUploadIsHeldToWhatWasMeasured) {
  const PeerStats slow = peer(800, 250, 90, 100, 600);
  for (const DeviceConstraints& state : {DeviceConstraints{.hidden = true}, DeviceConstraints{.metered = true}}) {
    DeviceConstraints claims_unlimited = state;
    claims_unlimited.upload_budget_bytes_per_s = ~0u;
    EXPECT_DOUBLE_EQ(score_of(with_device(slow, claims_unlimited)), score_of(with_device(slow, state)));
    EXPECT_EQ(role_of(with_device(slow, claims_unlimited)), Role::kLeaf);
    DeviceConstraints claims_a_cap = claims_unlimited;
    claims_a_cap.choice = UploadChoice::kCap;
    EXPECT_DOUBLE_EQ(score_of(with_device(slow, claims_a_cap)), score_of(slow)) << "measured, not declared";
    EXPECT_EQ(role_of(with_device(slow, claims_a_cap)), Role::kLeaf);
  }
}

TEST(PeerScore, UploadBudgetBelowStreamRateCapsBelowSuperSeed) {
  const auto budget = [](std::uint32_t bytes_per_s) {
    return with_device(fast_reliable_long_lived(), DeviceConstraints{.upload_budget_bytes_per_s = bytes_per_s});
  };
  EXPECT_LT(score_of(budget(200000)), kSuperSeedThreshold);
  EXPECT_EQ(role_of(budget(200000)), Role::kRelay);
  EXPECT_EQ(role_of(budget(312500)), Role::kSuperSeed);
  EXPECT_EQ(role_of(budget(0)), Role::kSuperSeed) << "0 declares no limit";
}

TEST(PeerScore, OneBadPieceBansAndZeroes) {
  PeerStats cheat = fast_reliable_long_lived();
  EXPECT_FALSE(should_ban(cheat));
  cheat.bad_pieces = 1;
  EXPECT_TRUE(should_ban(cheat));
  EXPECT_EQ(score_of(cheat), 0);
  EXPECT_EQ(role_of(cheat), Role::kLeaf);
}

TEST(PeerScore, RoleThresholdsAreTheBriefs) {
  const DeviceConstraints can_upload;
  EXPECT_EQ(role_for(100, can_upload), Role::kSuperSeed);
  EXPECT_EQ(role_for(75, can_upload), Role::kSuperSeed);
  EXPECT_EQ(role_for(74.99, can_upload), Role::kRelay);
  EXPECT_EQ(role_for(50, can_upload), Role::kRelay);
  EXPECT_EQ(role_for(49.99, can_upload), Role::kLeaf);
  EXPECT_EQ(role_for(std::nan(""), can_upload), Role::kLeaf);
}

TEST(PeerScore, StaysWithinZeroToHundredOnNonsenseInput) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  for (const PeerStats& stats : {peer(nan, nan, 0, 0, 0), peer(inf, -5, 7, 7, -100), peer(-100, inf, 0, 0, 1e9)}) {
    const double s = score_of(stats);
    EXPECT_TRUE(std::isfinite(s));
    EXPECT_GE(s, 0);
    EXPECT_LE(s, 100);
  }
}

// The grids every monotonicity check walks.
const std::vector<double> kThroughputsKbps{0, 100, 500, 1000, 2500, 5000, 10000, 20000, 100000};
const std::vector<double> kRttsMs{0, 10, 50, 100, 200, 400, 1000};
const std::vector<double> kUptimesS{0, 10, 60, 300, 3600};
const std::vector<std::uint32_t> kServed{0, 1, 5, 50, 500};

TEST(PeerScore, MoreThroughputNeverLowersIt) {
  for (double rtt : kRttsMs)
    for (double up : kUptimesS)
      for (std::uint32_t served : kServed) {
        double previous = -1;
        for (double kbps : kThroughputsKbps) {
          const double s = score_of(peer(kbps, rtt, served, served + 3, up));
          EXPECT_GE(s, previous) << kbps << " kbps, " << rtt << " ms, " << up << " s";
          previous = s;
        }
      }
}

TEST(PeerScore, MoreFailuresNeverRaiseIt) {
  for (double kbps : kThroughputsKbps)
    for (double up : kUptimesS)
      for (std::uint32_t served : kServed) {
        double previous = 101;
        for (std::uint32_t failed : {0u, 1u, 2u, 5u, 20u, 100u, 1000u}) {
          const double s = score_of(peer(kbps, 80, served, served + failed, up));
          EXPECT_LE(s, previous) << kbps << " kbps, " << served << " served, " << failed << " failed";
          previous = s;
        }
      }
}

TEST(PeerScore, LowerMeasuredRttAndLongerUptimeNeverLowerIt) {
  for (double kbps : kThroughputsKbps)
    for (std::uint32_t served : kServed) {
      double previous = -1;
      for (auto rtt = kRttsMs.rbegin(); rtt + 1 != kRttsMs.rend(); ++rtt) {  // 0 (unmeasured) left out
        const double s = score_of(peer(kbps, *rtt, served, served, 300));
        EXPECT_GE(s, previous) << *rtt << " ms";
        previous = s;
      }
      previous = -1;
      for (double up : kUptimesS) {
        const double s = score_of(peer(kbps, 80, served, served, up));
        EXPECT_GE(s, previous) << up << " s";
        previous = s;
      }
    }
}

std::vector<PeerId> ids(std::initializer_list<std::uint64_t> values) {
  std::vector<PeerId> out;
  for (std::uint64_t v : values) out.push_back(PeerId{v});
  return out;
}

TEST(PeerRanking, BestFirstTiesByIdBannedLast) {
  PeerStats banned = fast_reliable_long_lived();
  banned.bad_pieces = 1;
  std::vector<std::pair<PeerId, PeerStats>> peers{
      {PeerId{7}, average()},
      {PeerId{3}, banned},
      {PeerId{9}, fast_reliable_long_lived()},
      {PeerId{5}, average()},
      {PeerId{1}, peer(800, 250, 90, 100, 600)},
      {PeerId{2}, fast_reliable_long_lived()},
  };
  const std::vector<PeerId> expected = ids({2, 9, 5, 7, 1, 3});
  EXPECT_EQ(rank_peers(peers, kNow), expected);
  std::reverse(peers.begin(), peers.end());
  EXPECT_EQ(rank_peers(peers, kNow), expected) << "input order does not matter";
  std::rotate(peers.begin(), peers.begin() + 2, peers.end());
  EXPECT_EQ(rank_peers(peers, kNow), expected) << "input order does not matter";
}

TEST(PeerRanking, EmptySwarmRanksNobody) { EXPECT_TRUE(rank_peers({}, kNow).empty()); }

// As a broadcaster sees its peers: nothing received from them, only declared budgets.
PeerStats declaring(double budget_kbps, DeviceConstraints device = {}) {
  PeerStats stats = peer(0, 30, 0, 0, 600);
  stats.device = device;
  stats.device.upload_budget_bytes_per_s = budget_kbps * 1000 / 8;
  return stats;
}

TEST(StripeRelays, AmongEqualScoresTheWidestUplinkComesFirst) {
  ASSERT_EQ(score_of(declaring(90'000)), score_of(declaring(15'000))) << "both past the point where scores saturate";
  const std::vector<std::pair<PeerId, PeerStats>> peers{
      {PeerId{1}, declaring(15'000)},
      {PeerId{2}, declaring(90'000)},
      {PeerId{3}, declaring(40'000)},
  };
  EXPECT_EQ(rank_stripe_relays(peers, kNow), ids({2, 3, 1}));
}

TEST(StripeRelays, RoleComesBeforeUplinkAndLeavesComeLast) {
  const PeerStats leaf = with_device(peer(100'000, 30, 500, 500, 600), DeviceConstraints{.metered = true});
  const PeerStats relay = peer(60'000, 200, 95, 100, 180);
  const PeerStats super_seed = fast_reliable_long_lived();
  ASSERT_EQ(role_of(leaf), Role::kLeaf);
  ASSERT_EQ(role_of(relay), Role::kRelay);
  ASSERT_EQ(role_of(super_seed), Role::kSuperSeed);
  const std::vector<std::pair<PeerId, PeerStats>> peers{{PeerId{1}, leaf}, {PeerId{2}, relay}, {PeerId{3}, super_seed}};
  EXPECT_EQ(rank_stripe_relays(peers, kNow), ids({3, 2, 1}));
}

TEST(StripeRelays, MeasuredDeliveryOutranksADeclaredBudget) {
  PeerStats overclaims = peer(12'000, 30, 500, 500, 600);
  overclaims.device.upload_budget_bytes_per_s = 200'000 * 1000 / 8;
  const PeerStats delivers = peer(50'000, 30, 500, 500, 600);
  ASSERT_EQ(role_of(overclaims), role_of(delivers));
  const std::vector<std::pair<PeerId, PeerStats>> peers{{PeerId{1}, overclaims}, {PeerId{2}, delivers}};
  EXPECT_EQ(rank_stripe_relays(peers, kNow), ids({2, 1}));
}

}  // namespace
}  // namespace swarmcast::swarm
