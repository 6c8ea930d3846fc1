#include "network.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace swarmcast::sim {
namespace {

Scenario lossy_scenario(double loss_rate) {
  Scenario s;
  s.lossy_link_share = 1;
  s.loss_rate = loss_rate;
  s.retransmit_ms = 400;
  return s;
}

TEST(SimNetwork, AClearChannelDeliversAfterItsLatencyAndNothingOvertakes) {
  const Scenario s;
  Channel channel{40, false};
  EXPECT_EQ(arrival(s, channel, 1, 2, 16'000, 100), 140);
  EXPECT_EQ(arrival(s, channel, 1, 2, 10, 90), 140);  // never before what went first
  EXPECT_EQ(arrival(s, channel, 1, 2, 10, 150), 190);
}

TEST(SimNetwork, ALostPacketCostsARetransmissionAndHoldsWhatFollows) {
  const Scenario always = lossy_scenario(1);
  Channel channel{30, true};
  EXPECT_EQ(arrival(always, channel, 1, 2, 1000, 0), 430);
  const Scenario never = lossy_scenario(0);
  EXPECT_EQ(arrival(never, channel, 1, 2, 1000, 10), 430);  // behind the retransmitted one
  EXPECT_EQ(arrival(never, channel, 1, 2, 1000, 500), 530);
}

TEST(SimNetwork, BiggerMessagesAreLostMoreOften) {
  const Scenario s = lossy_scenario(0.01);
  int small_late = 0, big_late = 0;
  for (int i = 0; i < 4000; ++i) {
    Channel a{0, true}, b{0, true};
    a.sent = b.sent = static_cast<std::uint64_t>(i);
    small_late += arrival(s, a, 1, 2, 100, 0) > 0;
    big_late += arrival(s, b, 1, 2, 16'384, 0) > 0;
  }
  EXPECT_NEAR(small_late / 4000.0, 0.01, 0.006);           // one packet
  EXPECT_NEAR(big_late / 4000.0, 1 - std::pow(0.99, 15), 0.03);  // 15 packets
}

TEST(SimNetwork, PairPropertiesAreSymmetricAndHitTheirShare) {
  Scenario s;
  s.unconnectable_share = 0.3;
  int apart = 0, pairs = 0;
  for (std::size_t a = 1; a < 200; ++a)
    for (std::size_t b = a + 1; b < 200; ++b) {
      EXPECT_EQ(unconnectable(s, a, b), unconnectable(s, b, a));
      apart += unconnectable(s, a, b);
      ++pairs;
    }
  EXPECT_NEAR(static_cast<double>(apart) / pairs, 0.3, 0.02);
  EXPECT_FALSE(lossy(s, 3, 4));  // no lossy share: never
}

TEST(SimNetwork, AClassIsPickedByCumulativeShare) {
  const std::vector<LinkClass> classes{{0.2, 1, 2, "a"}, {0.5, 1, 2, "b"}, {0.3, 1, 2, "c"}};
  EXPECT_EQ(pick_class(classes, 0.0), 0u);
  EXPECT_EQ(pick_class(classes, 0.19), 0u);
  EXPECT_EQ(pick_class(classes, 0.21), 1u);
  EXPECT_EQ(pick_class(classes, 0.69), 1u);
  EXPECT_EQ(pick_class(classes, 0.71), 2u);
  EXPECT_EQ(pick_class(classes, 0.99999), 2u);
}

TEST(SimNetwork, TheCapacityBoundIsTheFluidOne) {
  Scenario s;
  s.viewers = 100;
  s.broadcaster_up_kbps = 10'000;
  s.uplinks = {{1, 2000, 4000, "all"}};
  EXPECT_DOUBLE_EQ(expected_capacity_bound_kbps(s), (10'000 + 100 * 3000.0) / 100);
  s.non_uploader_share = 0.5;
  EXPECT_DOUBLE_EQ(expected_capacity_bound_kbps(s), (10'000 + 100 * 1500.0) / 100);
  s.viewers = 1;  // the source's own uplink caps it
  EXPECT_DOUBLE_EQ(expected_capacity_bound_kbps(s), 10'000);
}

}  // namespace
}  // namespace swarmcast::sim
