// The bitrate rule, in short scenarios: a viewer on a link of some capacity, sampled
// every 250 ms, switching as the rule says.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "swarm/abr_rule.hpp"

namespace swarmcast::test {
namespace {

using swarm::AbrDecision;
using swarm::AbrReason;
using swarm::AbrSwitch;
using trust::Rendition;

constexpr RenditionId k720{0};
constexpr RenditionId k480{1};
constexpr RenditionId k240{2};

Rendition level(RenditionId id, std::uint16_t height, std::uint32_t kbps) {
  return Rendition{id, static_cast<std::uint16_t>(height * 16 / 9), height, kbps * 1000, 30'000, "vp8,opus"};
}
// The default ladder.
const std::vector<Rendition> kLadder = {level(k720, 720, 2500), level(k480, 480, 1200), level(k240, 240, 400)};

double mbps(double megabits) { return megabits * 1e6 / 8; }

// A live viewer: the buffer (media ahead of the playhead) holds at the target latency
// while the link carries the level, drains when it does not, and refills as fast as the
// spare capacity allows. Each tick samples the link's rate and asks the rule.
class Viewer {
 public:
  static constexpr std::int64_t kTickMs = 250;
  static constexpr double kTargetBufferMs = 2000;

  explicit Viewer(std::vector<Rendition> ladder = kLadder, RenditionId start = k720)
      : ladder_(std::move(ladder)), current_(start) {}

  // Runs `seconds` on a link of `megabits` per second.
  void run(double seconds, double megabits) {
    for (std::int64_t end = now_ + static_cast<std::int64_t>(seconds * 1000); now_ < end;) tick(mbps(megabits));
  }
  // One sample of `megabits` per second after one of `then` per second, and so on.
  void alternate(double seconds, double megabits, double then) {
    for (std::int64_t end = now_ + static_cast<std::int64_t>(seconds * 1000); now_ < end;)
      tick(mbps(((now_ / kTickMs) % 2 == 0) ? megabits : then));
  }

  RenditionId current() const { return current_; }
  const std::vector<AbrSwitch>& switches() const { return switches_; }
  std::int64_t now() const { return now_; }
  double buffer_ms() const { return buffer_ms_; }
  AbrReason last_reason() const { return last_.reason; }
  // When the first switch after `since` (ms) came, or -1.
  std::int64_t first_switch_after(std::int64_t since) const {
    for (const AbrSwitch& s : switches_)
      if (s.at.value > since) return s.at.value;
    return -1;
  }
  double buffer_at_switch(std::size_t i) const { return buffer_at_switches_.at(i); }

  std::optional<RenditionId> manual;
  std::bitset<trust::kMaxRenditions> undecodable;

 private:
  void tick(double link_bytes_per_s) {
    now_ += kTickMs;
    const double level_bytes_per_s = ladder_rate(current_);
    buffer_ms_ += static_cast<double>(kTickMs) * (link_bytes_per_s / level_bytes_per_s - 1.0);
    buffer_ms_ = std::clamp(buffer_ms_, 0.0, kTargetBufferMs);
    observations_.push_back({TimeMs{now_}, link_bytes_per_s, static_cast<std::uint32_t>(buffer_ms_)});
    const swarm::AbrInput in{.now = TimeMs{now_}, .ladder = ladder_, .current = current_,
                             .buffer_ms = static_cast<std::uint32_t>(buffer_ms_), .observations = observations_,
                             .switches = switches_, .manual = manual, .undecodable = undecodable};
    last_ = swarm::choose_rendition(in);
    if (last_.target == current_) return;
    if (last_.reason != AbrReason::kManual) {
      switches_.push_back({TimeMs{now_}, current_, last_.target, ladder_rate(last_.target) > level_bytes_per_s});
      buffer_at_switches_.push_back(buffer_ms_);
    }
    current_ = last_.target;
  }
  double ladder_rate(RenditionId id) const {
    for (const Rendition& r : ladder_)
      if (r.id == id) return r.bitrate_bps / 8.0;
    return 1;
  }

  std::vector<Rendition> ladder_;
  RenditionId current_;
  std::int64_t now_ = 0;
  double buffer_ms_ = kTargetBufferMs;
  std::vector<swarm::AbrObservation> observations_;
  std::vector<AbrSwitch> switches_;
  std::vector<double> buffer_at_switches_;
  AbrDecision last_;
};

TEST(AbrRule, ASteadyFastLinkStaysOnTheTopLevel) {
  Viewer viewer;
  viewer.run(60, 10);
  EXPECT_EQ(viewer.current(), k720);
  EXPECT_TRUE(viewer.switches().empty());
  EXPECT_EQ(viewer.last_reason(), AbrReason::kSteady);
}

TEST(AbrRule, ACapBelowTheTopGoesDownWithinSecondsWhileTheBufferLasts) {
  Viewer viewer;
  viewer.run(20, 10);
  viewer.run(10, 1.5);
  ASSERT_EQ(viewer.switches().size(), 1u);
  EXPECT_EQ(viewer.current(), k480) << "1.5 Mbit/s carries 1.2, not 2.5";
  EXPECT_LE(viewer.first_switch_after(20'000), 23'000);
  EXPECT_GE(viewer.buffer_at_switch(0), 800) << "down before the buffer runs out";
}

TEST(AbrRule, AHardCapGoesStraightToTheLevelTheRateCarries) {
  Viewer viewer;
  viewer.run(20, 10);
  viewer.run(10, 0.6);
  ASSERT_EQ(viewer.switches().size(), 1u);
  EXPECT_EQ(viewer.current(), k240);
}

TEST(AbrRule, LiftingTheCapGoesBackUpWithinTenSeconds) {
  Viewer viewer;
  viewer.run(20, 10);
  viewer.run(30, 1.5);
  ASSERT_EQ(viewer.current(), k480);
  viewer.run(15, 10);
  EXPECT_EQ(viewer.current(), k720);
  const std::int64_t up_at = viewer.first_switch_after(50'000);
  ASSERT_GT(up_at, 0);
  EXPECT_LE(up_at, 60'000);
  EXPECT_GE(up_at, 54'000) << "a sustained period of headroom first";
}

TEST(AbrRule, OneGoodSampleIsNoReasonToGoUp) {
  Viewer viewer(kLadder, k480);
  viewer.run(20, 1.5);
  viewer.run(0.25, 20);
  viewer.run(10, 1.5);
  EXPECT_EQ(viewer.current(), k480);
  EXPECT_TRUE(viewer.switches().empty());
}

// Samples of 20 Mbit/s with one of 0 in every 4 s (a request waiting on a slow peer):
// at the live edge that one sample holds the viewer down; 10 s ahead (after a stall,
// as a player keeps) a failed switch up would cost no stall, and it goes up.
TEST(AbrRule, WithADeepBufferAnOddSlowSampleDoesNotHoldTheViewerDown) {
  std::vector<swarm::AbrObservation> samples;
  for (std::int64_t at = 1000; at <= 10'000; at += 250) samples.push_back({TimeMs{at}, at % 2000 == 0 ? 0 : mbps(20.0), 0});
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k240, .buffer_ms = 2000, .observations = samples};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kSteady}));
  in.buffer_ms = 10'000;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kUp}));
  for (auto& s : samples) s.delivery_bytes_per_s = s.at.value % 500 == 0 ? mbps(1.0) : mbps(20.0);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kSteady})) << "half the samples slow: no headroom";
}

TEST(AbrRule, SamplesAlternatingAroundTheUpThresholdDoNotSwitch) {
  // 1.4 x 2.5 = 3.5 Mbit/s lifts 480p to 720p; the samples straddle it.
  Viewer viewer(kLadder, k480);
  viewer.alternate(60, 3.3, 3.7);
  EXPECT_EQ(viewer.current(), k480);
  EXPECT_TRUE(viewer.switches().empty());
}

TEST(AbrRule, ALinkSwingingAcrossTheTopBitrateSettlesInsteadOfOscillating) {
  Viewer viewer;
  for (int i = 0; i < 30; ++i) {
    viewer.run(2, 2.0);
    viewer.run(2, 6.0);
  }
  EXPECT_LE(viewer.switches().size(), 1u);
}

TEST(AbrRule, AfterRepeatedFailuresTheHoldBeforeGoingUpGrows) {
  Viewer viewer;
  viewer.run(10, 10);
  viewer.run(5, 1.5);  // down
  viewer.run(10, 10);  // up again after the 8 s hold
  ASSERT_EQ(viewer.switches().size(), 2u);
  EXPECT_LE(viewer.switches()[1].at.value - viewer.switches()[0].at.value, 9000);
  viewer.run(5, 1.5);  // down: two downs within a minute
  viewer.run(11, 10);
  EXPECT_EQ(viewer.current(), k480) << "held for 16 s after the second failure";
  EXPECT_EQ(viewer.last_reason(), AbrReason::kHeld);
  viewer.run(6, 10);
  EXPECT_EQ(viewer.current(), k720);
  ASSERT_EQ(viewer.switches().size(), 4u);
  EXPECT_GE(viewer.switches()[3].at.value - viewer.switches()[2].at.value, 16'000);
  EXPECT_LE(viewer.switches()[3].at.value - viewer.switches()[2].at.value, 17'000);
}

// A low measure alone is not enough to leave a level: the buffer must be falling too
// (a viewer ahead of its needs fetches at leisure, and measures less).
TEST(AbrRule, ALowRateWithTheBufferHoldingIsNoReasonToGoDown) {
  std::vector<swarm::AbrObservation> samples;
  for (std::int64_t at = 8000; at <= 10'000; at += 250) samples.push_back({TimeMs{at}, mbps(2.0), 2000});
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k720, .buffer_ms = 2000, .observations = samples};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady}));
  in.buffer_ms = 1900;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kDown}));
}

TEST(AbrRule, AnEmptyingBufferPanicsToTheLevelTheRateCarries) {
  const std::vector<swarm::AbrObservation> samples = {{TimeMs{9500}, mbps(1.5), 600}, {TimeMs{9750}, mbps(1.5), 450}};
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k720, .buffer_ms = 300, .observations = samples};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kPanic}));
  // With no fresh measure of the link, to the lowest.
  in.now = TimeMs{20'000};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kPanic}));
}

// A link that has just narrowed still delivers, for a while, what was queued on it at
// the old rate, so the smoothed rate says the level is carried while the player starves.
// A buffer under the panic floor for starved_down_ms since the last switch, while what
// arrives with requests outstanding is below the level's rate, goes down to the level
// that carries, or at least one; starved with nothing arriving short, it waits on peers.
TEST(AbrRule, ABufferStarvedForASecondWhileLessArrivesThanTheLevelNeedsGoesDown) {
  std::vector<swarm::AbrObservation> samples;
  for (std::int64_t at = 8000; at <= 10'000; at += 250) samples.push_back({TimeMs{at}, mbps(20.0), 0});
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k720, .buffer_ms = 0, .starved_ms = 999,
                     .arriving_bytes_per_s = mbps(2.0), .observations = samples};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady})) << "not yet a second";
  in.starved_ms = 1000;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kPanic}));
  in.arriving_bytes_per_s = mbps(0.6);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kPanic})) << "straight to what 0.6 Mbit/s carries";
  in.arriving_bytes_per_s = mbps(3.0);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady})) << "the link brings the level";
  in.arriving_bytes_per_s.reset();
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady})) << "nothing asked: waiting on peers";
  in.arriving_bytes_per_s = mbps(0.3);
  in.current = k240;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kSteady})) << "nothing lower";
  in.current = k720;
  in.arriving_bytes_per_s = mbps(2.0);
  in.unreachable.set(k480.value);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kPanic})) << "a level nobody holds is skipped";
  in.manual = k720;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kManual})) << "the viewer's choice stands";
  in.manual.reset();
  in.starting = true;
  EXPECT_EQ(swarm::choose_rendition(in).reason, AbrReason::kSteady) << "before playing, an empty buffer is no stall";
}

// In a swarm, a level nobody near holds is no way out: the panic goes to the highest
// level within the rate that some neighbour holds, or stays where it is.
TEST(AbrRule, LevelsNobodyNearHoldsAreNotChosen) {
  const std::vector<swarm::AbrObservation> samples = {{TimeMs{9500}, mbps(1.5), 600}, {TimeMs{9750}, mbps(1.5), 450}};
  swarm::AbrInput in{.now = TimeMs{20'000}, .ladder = kLadder, .current = k720, .buffer_ms = 300, .observations = samples};
  in.unreachable.set(k240.value);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kPanic})) << "stale rate: the lowest held";
  in.unreachable.set(k480.value);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kOnlyChoice}));
  // The current level stays a choice: it is what plays.
  in.current = k480;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kSteady}));
}

// Nobody near holds the level playing any more (its holders left or moved on): once the
// buffer runs out the rule moves to a held level the rate carries, not one above it,
// and stays when there is none; before playing, or with media left, it waits.
TEST(AbrRule, ACurrentLevelNobodyHoldsGivesWayToAHeldOneOnceTheBufferRunsOut) {
  const std::vector<swarm::AbrObservation> samples = {{TimeMs{19'500}, mbps(1.5), 600}, {TimeMs{19'750}, mbps(1.5), 300}};
  swarm::AbrInput in{.now = TimeMs{20'000}, .ladder = kLadder, .current = k480, .buffer_ms = 100, .observations = samples};
  in.unreachable.set(k480.value);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k240, AbrReason::kUnavailable}));
  in.buffer_ms = 1500;
  EXPECT_EQ(swarm::choose_rendition(in).target, k480) << "media left: it waits";
  in.buffer_ms = 100;
  in.starting = true;
  EXPECT_EQ(swarm::choose_rendition(in).target, k480) << "before playing the buffer is empty by nature";
  in.starting = false;
  in.unreachable.set(k240.value);
  EXPECT_EQ(swarm::choose_rendition(in).target, k480) << "720p is held, but 1.5 Mbit/s does not carry it";
}

TEST(AbrRule, BeforePlayingTheEmptyBufferIsNoPanicAndTheStartIsWhatTheRateCarries) {
  const std::vector<swarm::AbrObservation> fast = {{TimeMs{9750}, mbps(8.0), 0}};
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k720, .buffer_ms = 0, .starting = true};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady}));
  in.observations = fast;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kSteady}));
  const std::vector<swarm::AbrObservation> thin = {{TimeMs{9750}, mbps(1.5), 0}};
  in.observations = thin;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kStart}));
  in.current = k240;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kStart}));
  // Once playing, the same empty buffer is a panic.
  in.current = k720;
  in.starting = false;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kPanic}));
}

TEST(AbrRule, NoSamplesNoSwitch) {
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = k480, .buffer_ms = 2000};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kSteady}));
}

TEST(AbrRule, AManualChoiceOverridesTheRuleAndAutoResumes) {
  Viewer viewer;
  viewer.manual = k240;
  viewer.run(10, 10);
  EXPECT_EQ(viewer.current(), k240);
  EXPECT_EQ(viewer.last_reason(), AbrReason::kManual);
  viewer.manual = k720;
  viewer.run(10, 1.5);
  EXPECT_EQ(viewer.current(), k720) << "the viewer's choice, even if it stalls";
  viewer.manual.reset();
  viewer.run(3, 1.5);
  EXPECT_EQ(viewer.current(), k480);
  viewer.run(15, 10);
  EXPECT_EQ(viewer.current(), k720);
}

TEST(AbrRule, AManualChoiceOfAnUndecodableOrUnlistedRenditionIsIgnored) {
  Viewer viewer;
  viewer.undecodable.set(k240.value);
  viewer.manual = k240;
  viewer.run(5, 10);
  EXPECT_EQ(viewer.current(), k720);
  viewer.manual = RenditionId{5};
  viewer.run(5, 10);
  EXPECT_EQ(viewer.current(), k720);
}

TEST(AbrRule, RenditionsTheDeviceCannotDecodeAreSkipped) {
  Viewer top_undecodable;
  top_undecodable.undecodable.set(k720.value);
  top_undecodable.run(20, 10);
  EXPECT_EQ(top_undecodable.current(), k480);
  ASSERT_FALSE(top_undecodable.switches().empty());
  EXPECT_LE(top_undecodable.switches()[0].at.value, 250);

  Viewer middle_undecodable(kLadder, k240);
  middle_undecodable.undecodable.set(k480.value);
  middle_undecodable.run(20, 2.0);  // carries 480p, which it cannot decode, not 720p
  EXPECT_EQ(middle_undecodable.current(), k240);
  middle_undecodable.run(20, 10);
  EXPECT_EQ(middle_undecodable.current(), k720) << "straight over the level it skips";
  ASSERT_EQ(middle_undecodable.switches().size(), 1u);
}

TEST(AbrRule, EmptyAndOneLevelLadders) {
  swarm::AbrInput in{.now = TimeMs{1000}, .current = k720, .buffer_ms = 2000};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kNothingDecodable}));
  const std::vector<Rendition> one = {level(RenditionId{3}, 360, 800)};
  in.ladder = one;
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{RenditionId{3}, AbrReason::kOnlyChoice}));
  in.undecodable.set(3);
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k720, AbrReason::kNothingDecodable}));

  Viewer single({level(k720, 360, 800)});
  single.run(10, 0.3);
  EXPECT_EQ(single.current(), k720);
  EXPECT_TRUE(single.switches().empty());
}

TEST(AbrRule, ACurrentRenditionNoLongerListedMovesToWhatTheRateCarries) {
  const std::vector<swarm::AbrObservation> samples = {{TimeMs{9750}, mbps(1.5), 2000}};
  swarm::AbrInput in{.now = TimeMs{10'000}, .ladder = kLadder, .current = RenditionId{6}, .buffer_ms = 2000,
                     .observations = samples};
  EXPECT_EQ(swarm::choose_rendition(in), (AbrDecision{k480, AbrReason::kUnavailable}));
}

TEST(AbrRule, ReasonsHaveStableNames) {
  EXPECT_STREQ(swarm::to_string(AbrReason::kSteady), "steady");
  EXPECT_STREQ(swarm::to_string(AbrReason::kUp), "up");
  EXPECT_STREQ(swarm::to_string(AbrReason::kHeld), "held");
  EXPECT_STREQ(swarm::to_string(AbrReason::kDown), "down");
  EXPECT_STREQ(swarm::to_string(AbrReason::kPanic), "panic");
  EXPECT_STREQ(swarm::to_string(AbrReason::kStart), "start");
  EXPECT_STREQ(swarm::to_string(AbrReason::kManual), "manual");
  EXPECT_STREQ(swarm::to_string(AbrReason::kUnavailable), "unavailable");
  EXPECT_STREQ(swarm::to_string(AbrReason::kOnlyChoice), "only_choice");
  EXPECT_STREQ(swarm::to_string(AbrReason::kNothingDecodable), "nothing_decodable");
}

}  // namespace
}  // namespace swarmcast::test
