// The player model: startup, deadlines, stalls that push deadlines back, skips.
#include <gtest/gtest.h>

#include "swarm/playback_clock.hpp"
#include "swarm/request_tracker.hpp"

namespace swarmcast::test {
namespace {

using swarm::PlaybackClock;

TEST(PlaybackClock, OnTimeChunksPlayAtTheirDeadlineWithoutStalls) {
  PlaybackClock clock;
  clock.join(TimeMs{100});
  EXPECT_EQ(clock.hand_over(TimeMs{0}, TimeMs{1500}), 1500);  // first chunk, captured at 0
  EXPECT_EQ(clock.startup_ms(), 1400);
  EXPECT_EQ(clock.deadline(TimeMs{1000}), TimeMs{2500});
  EXPECT_EQ(clock.hand_over(TimeMs{1000}, TimeMs{2200}), 1500);  // early: plays at its deadline
  EXPECT_EQ(clock.stalled_ms(), 0);
  EXPECT_EQ(clock.stalls(), 0u);
}

TEST(PlaybackClock, AMissingChunkStallsThePlayerAndMovesLaterDeadlines) {
  PlaybackClock clock;
  clock.join(TimeMs{0});
  clock.hand_over(TimeMs{0}, TimeMs{1000});
  clock.waiting(TimeMs{1000}, TimeMs{1900});  // not yet due
  EXPECT_EQ(clock.stalled_ms(), 0);
  clock.waiting(TimeMs{1000}, TimeMs{2300});  // 300 ms past its deadline
  clock.waiting(TimeMs{1000}, TimeMs{2600});
  EXPECT_EQ(clock.stalled_ms(), 600);
  EXPECT_EQ(clock.stalls(), 1u);
  EXPECT_EQ(clock.hand_over(TimeMs{1000}, TimeMs{2700}), 1700);
  EXPECT_EQ(clock.stalled_ms(), 700);
  EXPECT_EQ(clock.deadline(TimeMs{2000}), TimeMs{3700});  // one second after it resumed
  EXPECT_EQ(clock.watched_ms(TimeMs{11'000}), 10'000);
}

TEST(PlaybackClock, SkippingAChunkBringsTheNextOneForward) {
  PlaybackClock clock;
  clock.hand_over(TimeMs{0}, TimeMs{1000});
  clock.waiting(TimeMs{1000}, TimeMs{3000});
  clock.skip(1000);
  EXPECT_EQ(clock.deadline(TimeMs{2000}), TimeMs{3000});
}

TEST(PlaybackClock, AChangedTargetLatencyShiftsEveryLaterDeadlineWithoutAStall) {
  PlaybackClock clock;
  clock.hand_over(TimeMs{0}, TimeMs{1000});
  clock.shift(4000);  // the player held its picture 4 s longer
  EXPECT_EQ(clock.deadline(TimeMs{1000}), TimeMs{6000});
  clock.waiting(TimeMs{1000}, TimeMs{5900});
  EXPECT_EQ(clock.stalls(), 0u);
  EXPECT_EQ(clock.hand_over(TimeMs{1000}, TimeMs{5900}), 5000);
  clock.shift(-4000);  // and jumped back towards the live edge
  EXPECT_EQ(clock.deadline(TimeMs{2000}), TimeMs{3000});
  EXPECT_EQ(clock.stalled_ms(), 0);
}

TEST(RequestTracker, CountsBytesInFlightAndExpiresLateRequests) {
  swarm::RequestTracker tracker;
  const swarm::PeerId a{1}, b{2};
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{0}, {a, TimeMs{0}, TimeMs{1000}, 16384});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {a, TimeMs{0}, TimeMs{500}, 16384});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {b, TimeMs{100}, TimeMs{2000}, 16384});
  EXPECT_EQ(tracker.inflight_bytes(a), 32768u);
  const auto late = tracker.expire(TimeMs{600});
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].piece, PieceIndex{1});
  EXPECT_EQ(late[0].request.peer, a);
  EXPECT_EQ(tracker.inflight_bytes(a), 16384u);
  std::vector<swarm::PeerId> also_asked{a};
  EXPECT_EQ(tracker.complete(ChunkId{ChunkSeq{5}}, PieceIndex{1}, b, TimeMs{400}, also_asked), TimeMs{300});
  EXPECT_TRUE(also_asked.empty());
  EXPECT_EQ(tracker.inflight_bytes(b), 0u);
  tracker.drop_peer(a);
  EXPECT_EQ(tracker.size(), 0u);
}

TEST(RequestTracker, APieceThatArrivesNamesTheOtherPeersAskedForIt) {
  swarm::RequestTracker tracker;
  const swarm::PeerId a{1}, b{2}, c{3};
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {a, TimeMs{0}, TimeMs{1000}, 16384});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {b, TimeMs{100}, TimeMs{1000}, 16384});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{2}, {c, TimeMs{100}, TimeMs{1000}, 16384});
  std::vector<swarm::PeerId> also_asked;
  EXPECT_EQ(tracker.complete(ChunkId{ChunkSeq{5}}, PieceIndex{1}, b, TimeMs{400}, also_asked), TimeMs{300});
  EXPECT_EQ(also_asked, std::vector<swarm::PeerId>{a});
  EXPECT_EQ(tracker.inflight_bytes(a), 0u);
  // Pushed, not asked: no time taken, every asked peer named.
  EXPECT_EQ(tracker.complete(ChunkId{ChunkSeq{5}}, PieceIndex{2}, a, TimeMs{400}, also_asked), std::nullopt);
  EXPECT_EQ(also_asked, std::vector<swarm::PeerId>{c});
}

TEST(RequestTracker, ListsAChunksRequestsByPieceInTheOrderSent) {
  swarm::RequestTracker tracker;
  const swarm::PeerId a{1}, b{2};
  tracker.add(ChunkId{ChunkSeq{6}}, PieceIndex{0}, {a, TimeMs{0}, TimeMs{900}, 100});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{2}, {a, TimeMs{0}, TimeMs{900}, 100});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {b, TimeMs{10}, TimeMs{900}, 100});
  tracker.add(ChunkId{ChunkSeq{5}}, PieceIndex{1}, {a, TimeMs{20}, TimeMs{800}, 100});
  const auto listed = tracker.of_chunk(ChunkId{ChunkSeq{5}});
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].piece, PieceIndex{1});
  EXPECT_EQ(listed[0].request.peer, b);
  EXPECT_EQ(listed[1].request.peer, a);
  EXPECT_EQ(listed[2].piece, PieceIndex{2});
  // Nothing is due before the earliest expiry; then exactly what is due goes.
  EXPECT_TRUE(tracker.expire(TimeMs{799}).empty());
  const auto expired = tracker.expire(TimeMs{800});
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].request.peer, a);
  EXPECT_EQ(tracker.of_chunk(ChunkId{ChunkSeq{5}}).size(), 2u);
  tracker.forget_before(ChunkSeq{6});
  EXPECT_EQ(tracker.size(), 1u);
  EXPECT_EQ(tracker.inflight_bytes(a), 100u);
}

}  // namespace
}  // namespace swarmcast::test
