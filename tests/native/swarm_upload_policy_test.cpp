// Whom we upload to (the choker and its optimistic slot, the broadcaster's choice by
// score) and how much (token buckets over simulated time, per-peer and total budgets).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "swarm/upload_policy.hpp"

namespace swarmcast::swarm {
namespace {

// An interested, contactable peer that has sent us `received_kbps` kbit/s.
UploadCandidate wants(std::uint64_t id, double received_kbps = 0) {
  return UploadCandidate{.id = PeerId{id},
                         .interested = true,
                         .bytes_per_s_received_from = received_kbps * 1000 / 8,
                         .can_upload_to = true};
}
UploadCandidate newcomer(UploadCandidate c) {
  c.is_newcomer = true;
  return c;
}
UploadCandidate uninterested(UploadCandidate c) {
  c.interested = false;
  return c;
}
UploadCandidate unreachable(UploadCandidate c) {
  c.can_upload_to = false;
  return c;
}
UploadCandidate scored(UploadCandidate c, double score) {
  c.score = score;
  return c;
}

std::vector<PeerId> ids(std::initializer_list<std::uint64_t> values) {
  std::vector<PeerId> out;
  for (std::uint64_t v : values) out.push_back(PeerId{v});
  return out;
}

UploadConfig slots(std::uint32_t regular, std::uint32_t optimistic) {
  UploadConfig config;
  config.regular_slots = regular;
  config.optimistic_slots = optimistic;
  return config;
}

TEST(Choker, RegularSlotsGoToTheBestReciprocatorsTiesById) {
  const std::vector<UploadCandidate> swarm{wants(1, 100), wants(2, 3000), wants(3, 500),
                                           wants(4, 3000), wants(5, 900),  wants(6, 50)};
  EXPECT_EQ(choose_unchoked(swarm, 0, slots(4, 0)), ids({2, 4, 5, 3}));
  std::vector<UploadCandidate> reversed(swarm.rbegin(), swarm.rend());
  EXPECT_EQ(choose_unchoked(reversed, 0, slots(4, 0)), ids({2, 4, 5, 3}));
}

TEST(Choker, UninterestedAndUnreachablePeersAreNeverChosen) {
  const std::vector<UploadCandidate> swarm{uninterested(wants(1, 9000)), unreachable(wants(2, 9000)),
                                           unreachable(newcomer(wants(3))), wants(4, 100), wants(5, 10)};
  for (std::uint64_t rotation = 0; rotation < 10; ++rotation) {
    EXPECT_EQ(choose_unchoked(swarm, rotation, slots(4, 1)), ids({4, 5}));
  }
}

TEST(Choker, OptimisticSlotRotatesThroughTheRest) {
  const std::vector<UploadCandidate> swarm{wants(1, 5000), wants(2, 4000), wants(3, 10),
                                           wants(4, 20),   wants(5, 30),   wants(6, 40)};
  std::set<PeerId> optimistic;
  for (std::uint64_t rotation = 0; rotation < 4; ++rotation) {
    const std::vector<PeerId> chosen = choose_unchoked(swarm, rotation, slots(2, 1));
    ASSERT_EQ(chosen.size(), 3u);
    EXPECT_EQ(chosen[0], PeerId{1});
    EXPECT_EQ(chosen[1], PeerId{2});
    optimistic.insert(chosen[2]);
  }
  EXPECT_EQ(optimistic, (std::set<PeerId>{PeerId{3}, PeerId{4}, PeerId{5}, PeerId{6}}));
  EXPECT_EQ(choose_unchoked(swarm, 4, slots(2, 1)), choose_unchoked(swarm, 0, slots(2, 1)));
}

TEST(Choker, OptimisticSlotPrefersNewcomers) {
  const std::vector<UploadCandidate> swarm{wants(1, 5000), wants(2, 10), newcomer(wants(3)),
                                           wants(4, 20),   newcomer(wants(5)), wants(6, 30)};
  std::set<PeerId> optimistic;
  for (std::uint64_t rotation = 0; rotation < 10; ++rotation) {
    optimistic.insert(choose_unchoked(swarm, rotation, slots(1, 1)).back());
  }
  EXPECT_EQ(optimistic, (std::set<PeerId>{PeerId{3}, PeerId{5}}));
  EXPECT_EQ(choose_unchoked(swarm, 0, slots(1, 3)), ids({1, 3, 5, 2})) << "newcomers first, then the rest";
}

TEST(Choker, NeverDuplicatesNeverExceedsSlotsNeverPicksTheIneligible) {
  const std::vector<UploadCandidate> swarm{
      wants(1, 100), wants(2, 200), newcomer(wants(3)), wants(4, 200), uninterested(wants(5, 900)),
      wants(1, 50),  newcomer(wants(3)), unreachable(wants(6, 800)), wants(7, 0), newcomer(wants(8))};
  const std::set<PeerId> eligible{PeerId{1}, PeerId{2}, PeerId{3}, PeerId{4}, PeerId{7}, PeerId{8}};
  for (std::uint32_t regular = 0; regular < 8; ++regular)
    for (std::uint32_t optimistic = 0; optimistic < 4; ++optimistic)
      for (std::uint64_t rotation = 0; rotation < 12; ++rotation) {
        const std::vector<PeerId> chosen = choose_unchoked(swarm, rotation, slots(regular, optimistic));
        const std::set<PeerId> distinct(chosen.begin(), chosen.end());
        EXPECT_EQ(distinct.size(), chosen.size());
        EXPECT_EQ(chosen.size(), std::min<std::size_t>(regular + optimistic, eligible.size()));
        EXPECT_TRUE(std::includes(eligible.begin(), eligible.end(), distinct.begin(), distinct.end()));
      }
}

TEST(Choker, BroadcasterFeedsTheTwentyBestScoredWhateverTheyReciprocate) {
  std::vector<UploadCandidate> swarm;
  for (std::uint64_t id = 1; id <= 30; ++id) swarm.push_back(scored(wants(id), static_cast<double>(id)));
  swarm.push_back(scored(wants(99, 50000), 1));  // generous uploader, poor relay
  const UploadConfig broadcaster = broadcaster_upload_config();
  EXPECT_EQ(broadcaster.regular_slots, 20u);
  const std::vector<PeerId> chosen = choose_unchoked(swarm, 0, broadcaster);
  std::vector<PeerId> expected;
  for (std::uint64_t id = 30; id > 10; --id) expected.push_back(PeerId{id});
  EXPECT_EQ(chosen, expected);
}

TEST(Choker, OptimisticPeriodFollowsTheRotationInterval) {
  const UploadConfig config;  // 30 s
  EXPECT_EQ(optimistic_period(TimeMs{0}, config), 0u);
  EXPECT_EQ(optimistic_period(TimeMs{29999}, config), 0u);
  EXPECT_EQ(optimistic_period(TimeMs{30000}, config), 1u);
  EXPECT_EQ(optimistic_period(TimeMs{95000}, config), 3u);
  EXPECT_EQ(optimistic_period(TimeMs{-5}, config), 0u);
}

// Takes `message` bytes whenever the bucket allows, every 10 ms for `seconds`.
std::uint64_t greedy_bytes(TokenBucket& bucket, std::uint32_t message, int seconds) {
  std::uint64_t taken = 0;
  for (std::int64_t t = 0; t <= seconds * 1000; t += 10) {
    bucket.refill(TimeMs{t});
    while (bucket.try_take(message)) taken += message;
  }
  return taken;
}

TEST(TokenBucket, AdmitsTheRatePlusTheBurstAndNoMore) {
  TokenBucket bucket(1000, 500);
  EXPECT_EQ(bucket.available(), 500);
  const std::uint64_t taken = greedy_bytes(bucket, 100, 10);
  EXPECT_LE(taken, 10000u + 500u);
  EXPECT_GE(taken, 10000u + 500u - 100u);
}

TEST(TokenBucket, ZeroRateIsUnlimited) {
  TokenBucket bucket(0, 0);
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(bucket.try_take(1 << 20));
  EXPECT_TRUE(bucket.unlimited());
  EXPECT_GT(bucket.available(), 1e300);
}

TEST(TokenBucket, TimeGoingBackwardsIsIgnored) {
  TokenBucket bucket(1000, 2000);
  bucket.refill(TimeMs{10000});
  ASSERT_TRUE(bucket.try_take(2000));
  bucket.refill(TimeMs{5000});
  EXPECT_EQ(bucket.available(), 0);
  bucket.refill(TimeMs{10000});
  EXPECT_EQ(bucket.available(), 0);
  bucket.refill(TimeMs{11000});
  EXPECT_EQ(bucket.available(), 1000);
}

TEST(TokenBucket, AMessageLargerThanTheBurstPassesWhenFullAndLeavesDebt) {
  TokenBucket bucket(1000, 100);
  bucket.refill(TimeMs{0});
  EXPECT_TRUE(bucket.try_take(500));
  EXPECT_EQ(bucket.available(), -400);
  bucket.refill(TimeMs{399});
  EXPECT_FALSE(bucket.try_take(1)) << "still in debt";
  bucket.refill(TimeMs{499});
  EXPECT_FALSE(bucket.try_take(500)) << "not yet full";
  bucket.refill(TimeMs{500});
  EXPECT_TRUE(bucket.try_take(500));
}

UploadConfig budgets(double total, double per_peer) {
  UploadConfig config;
  config.total_budget_bytes_per_s = total;
  config.per_peer_budget_bytes_per_s = per_peer;
  return config;
}

// Two greedy peers asking for 100 bytes every 10 ms for 10 s; what each got.
std::pair<std::uint64_t, std::uint64_t> greedy_pair(UploadBudget& budget) {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  for (std::int64_t t = 0; t <= 10000; t += 10) {
    if (budget.admit(PeerId{1}, 100, TimeMs{t})) a += 100;
    if (budget.admit(PeerId{2}, 100, TimeMs{t})) b += 100;
  }
  return {a, b};
}

TEST(UploadBudget, PerPeerBudgetHoldsEachPeerToItsRate) {
  UploadBudget budget(budgets(0, 1000));  // burst: one second of rate
  const auto [a, b] = greedy_pair(budget);
  EXPECT_LE(a, 11000u);
  EXPECT_GE(a, 10900u);
  EXPECT_EQ(a, b);
}

TEST(UploadBudget, TotalBudgetIsSharedAcrossPeers) {
  UploadBudget budget(budgets(1000, 0));
  const auto [a, b] = greedy_pair(budget);
  EXPECT_LE(a + b, 11000u);
  EXPECT_GE(a + b, 10900u);
  EXPECT_EQ(budget.tracked_peers(), 0u);
}

TEST(UploadBudget, BothBudgetsAreEnforcedTogether) {
  UploadBudget budget(budgets(1500, 1000));
  const auto [a, b] = greedy_pair(budget);
  EXPECT_LE(a, 11000u);
  EXPECT_LE(b, 11000u);
  EXPECT_LE(a + b, 16500u);
  EXPECT_GE(a + b, 16400u);
}

TEST(UploadBudget, ARefusalChargesNeitherBucket) {
  UploadBudget budget(budgets(1000, 500));
  EXPECT_TRUE(budget.admit(PeerId{1}, 500, TimeMs{0}));
  EXPECT_FALSE(budget.admit(PeerId{1}, 500, TimeMs{0})) << "peer 1 has spent its own budget";
  EXPECT_TRUE(budget.admit(PeerId{2}, 500, TimeMs{0})) << "so the total still holds 500";
  EXPECT_FALSE(budget.admit(PeerId{3}, 1, TimeMs{0})) << "and now the total is spent";
}

TEST(UploadBudget, AForgottenPeerStartsAfresh) {
  UploadBudget budget(budgets(0, 500));
  EXPECT_TRUE(budget.admit(PeerId{1}, 500, TimeMs{0}));
  EXPECT_FALSE(budget.admit(PeerId{1}, 500, TimeMs{0}));
  EXPECT_EQ(budget.tracked_peers(), 1u);
  budget.forget(PeerId{1});
  EXPECT_EQ(budget.tracked_peers(), 0u);
  EXPECT_TRUE(budget.admit(PeerId{1}, 500, TimeMs{0}));
}

TEST(UploadBudget, ANewTotalRateHoldsFromThenOn) {
  UploadBudget budget(budgets(0, 0));
  EXPECT_TRUE(budget.admit(PeerId{1}, 1'000'000, TimeMs{0})) << "unlimited";
  budget.set_total_rate(1000);
  const auto [a, b] = greedy_pair(budget);
  EXPECT_LE(a + b, 11000u);
  EXPECT_GE(a + b, 10900u);
  budget.set_total_rate(0);
  EXPECT_TRUE(budget.admit(PeerId{1}, 1'000'000, TimeMs{20'000})) << "unlimited again";
}

// The device rules (Auto) and the viewer's choice, which wins over them.
constexpr double kStream = 200'000;

TEST(UploadAllowance, AutoFollowsTheDevice) {
  EXPECT_EQ(upload_allowance({}, kStream), (UploadAllowance{true, 0}));
  EXPECT_EQ(upload_allowance({.upload_budget_bytes_per_s = 50'000}, kStream), (UploadAllowance{true, 50'000}));
  EXPECT_EQ(upload_allowance({.metered = true}, kStream), (UploadAllowance{false, 0}));
  EXPECT_EQ(upload_allowance({.battery_low = true}, kStream), (UploadAllowance{false, 0}));
  EXPECT_EQ(upload_allowance({.metered = true, .hidden = true}, kStream), (UploadAllowance{false, 0}));
}

TEST(UploadAllowance, AHiddenPageUploadsAShareOfTheStreamRateNotNothing) {
  EXPECT_EQ(upload_allowance({.hidden = true}, kStream), (UploadAllowance{true, kHiddenUploadShare * kStream}));
  EXPECT_GT(kHiddenUploadShare, 0);
  EXPECT_LT(kHiddenUploadShare, 1);
  EXPECT_EQ(upload_allowance({.hidden = true, .upload_budget_bytes_per_s = 10'000}, kStream),
            (UploadAllowance{true, 10'000}))
      << "a lower declared budget still holds";
  EXPECT_GT(upload_allowance({.hidden = true}, 0).bytes_per_s, 0) << "never 0, which would read as unlimited";
}

TEST(UploadAllowance, TheViewersChoiceWinsOverAuto) {
  const DeviceConstraints every_rule{.metered = true, .battery_low = true, .hidden = true};
  DeviceConstraints off = every_rule;
  off.choice = UploadChoice::kOff;
  EXPECT_EQ(upload_allowance(off, kStream), (UploadAllowance{false, 0}));
  EXPECT_EQ(upload_allowance({.choice = UploadChoice::kOff}, kStream), (UploadAllowance{false, 0}));
  DeviceConstraints capped = every_rule;
  capped.choice = UploadChoice::kCap;
  capped.upload_budget_bytes_per_s = 62'500;
  EXPECT_EQ(upload_allowance(capped, kStream), (UploadAllowance{true, 62'500}));
  EXPECT_TRUE(capped.can_upload());
  capped.upload_budget_bytes_per_s = 0;
  EXPECT_EQ(upload_allowance(capped, kStream), (UploadAllowance{false, 0})) << "a cap of nothing is Off";
  EXPECT_FALSE(capped.can_upload());
}

TEST(UploadRequests, QueuedRequestsPerPeerAreBounded) {
  const UploadConfig config;  // 32
  EXPECT_TRUE(accept_request(0, config));
  EXPECT_TRUE(accept_request(31, config));
  EXPECT_FALSE(accept_request(32, config));
  EXPECT_FALSE(accept_request(1000, config));
}

}  // namespace
}  // namespace swarmcast::swarm
