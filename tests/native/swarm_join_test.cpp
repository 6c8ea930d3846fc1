// Where a joining viewer starts: target_latency_ms after capture on clocks that agree,
// however long the chunk headers took to reach it, and near that when the viewer's
// clock is seconds away from the broadcaster's. A broadcaster engine and a viewer
// engine over one link with a fixed one-way delay; each engine reads its own clock.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>

#include "swarm/engine.hpp"
#include "synthetic_stream.hpp"
#include "trust/merkle.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::Engine;
using swarm::PeerId;

constexpr PeerId kBroadcaster{1};
constexpr PeerId kViewer{2};
constexpr PeerId kStaleNeighbour{3};
constexpr std::int64_t kStepMs = 10;
constexpr std::size_t kChunkBytes = 50'000;

const trust::KeyPair& stream_keys() { return synthetic::keys(31); }

swarm::EngineConfig config(PeerId self, bool broadcaster, std::uint32_t player_lead_ms = 0) {
  swarm::EngineConfig c = synthetic::engine_config(stream_keys(), self, broadcaster);
  c.player_lead_ms = player_lead_ms;
  return c;
}

// Joins at broadcaster time `join_ms` to a stream of 1 s chunks (chunk k captured over
// [k s, k+1 s), published at k+1 s); the viewer's clock reads `viewer_clock_ahead_ms`
// more than the broadcaster's. Returns the viewer after `run_ms` of broadcaster time.
class OneLink {
 public:
  OneLink(std::int64_t one_way_ms, std::int64_t viewer_clock_ahead_ms, std::uint32_t player_lead_ms = 0)
      : one_way_ms_(one_way_ms), ahead_ms_(viewer_clock_ahead_ms),
        broadcaster_(config(kBroadcaster, true)), viewer_(config(kViewer, false, player_lead_ms)) {
    const ByteVector init = synthetic::media(999, 300);
    broadcaster_.publish_init(synthetic::signed_header(stream_keys(), trust::HeaderKind::kInit, 0, TimeMs{0}, 1000, init),
                              init, TimeMs{0});
  }

  // link_after_ms: the link to the broadcaster opens this long after the viewer joined;
  // at_join runs as the viewer joins.
  void run(std::int64_t join_ms, std::int64_t run_ms, std::int64_t link_after_ms = 0,
           const std::function<void()>& at_join = {}) {
    for (std::int64_t t = 0; t <= run_ms; t += kStepMs) {
      now_ = t;
      if (t == join_ms && at_join) at_join();
      if (auto action = scheduled_.find(t); action != scheduled_.end()) action->second(viewer_);
      if (t == join_ms + link_after_ms) {
        broadcaster_.connect(kViewer, TimeMs{t});
        viewer_.connect(kBroadcaster, TimeMs{t + ahead_ms_});
      }
      if (t % 1000 == 0 && t >= 1000) publish(static_cast<std::uint64_t>(t / 1000 - 1), t);
      deliver(t);
      // The link has no queue of its own: what an engine sends is on its way at once,
      // unless the broadcaster's uplink is held full.
      const bool uplink_full = t >= uplink_full_from_ms_ && t < uplink_full_until_ms_;
      broadcaster_.set_buffered_amount_everywhere(uplink_full ? kFullUplinkBytes : 0);
      broadcaster_.tick(TimeMs{t});
      for (auto& m : broadcaster_.take_outbox()) to_viewer_.push_back({t + one_way_ms_, std::move(m.bytes)});
      if (t < join_ms) continue;
      viewer_.set_buffered_amount(kBroadcaster, 0);
      viewer_.tick(TimeMs{t + ahead_ms_});
      for (auto& m : viewer_.take_outbox()) to_broadcaster_.push_back({t + one_way_ms_, std::move(m.bytes)});
      for (auto& item : viewer_.take_playable()) {
        if (item.init) continue;
        if (played_.empty()) first_played_at_ms_ = t;
        played_.push_back(item.seq.value);
      }
    }
  }

  // Runs `action` on the viewer's engine at broadcaster time `ms` (a multiple of the
  // 10 ms step) of the next run.
  void at(std::int64_t ms, std::function<void(Engine&)> action) { scheduled_[ms] = std::move(action); }

  // The broadcaster's transport reports a backlog far beyond any limit until then.
  void hold_uplink_full_until(std::int64_t ms) { hold_uplink_full_between(0, ms); }
  void hold_uplink_full_between(std::int64_t from_ms, std::int64_t until_ms) {
    uplink_full_from_ms_ = from_ms;
    uplink_full_until_ms_ = until_ms;
  }

  // A neighbour far behind the live edge, as a viewer that has just joined itself is:
  // it announces chunks [first, last] (headers and haves) and never unchokes.
  void hear_from_stale_neighbour(std::uint64_t first, std::uint64_t last) {
    const TimeMs at{now_ + ahead_ms_};
    viewer_.connect(kStaleNeighbour, at);
    wire::Handshake hello;
    hello.stream_key = stream_keys().public_key.bytes;
    hello.peer_id = kStaleNeighbour;
    hello.role = swarm::Role::kRelay;
    viewer_.on_message(kStaleNeighbour, wire::encode(hello), at);
    for (std::uint64_t seq = first; seq <= last; ++seq) {
      const ByteVector payload = synthetic::media(seq, kChunkBytes);
      wire::ChunkHeader header;
      header.signed_header = synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, seq,
                                                      TimeMs{std::int64_t(seq) * 1000}, 1000, payload);
      for (const trust::Digest& d : trust::piece_hashes(payload)) header.piece_hashes.push_back(d);
      const auto pieces = static_cast<std::uint16_t>(header.piece_hashes.size());
      viewer_.on_message(kStaleNeighbour, wire::encode(header), at);
      viewer_.on_message(kStaleNeighbour, wire::encode(wire::HaveRange{ChunkId{ChunkSeq{seq}}, PieceIndex{0}, pieces}), at);
    }
  }

  // Glass-to-glass of each chunk played, on one clock (the broadcaster's).
  std::vector<std::int64_t> latencies_ms() const {
    std::vector<std::int64_t> out;
    for (std::int64_t on_viewer_clock : viewer_.playback().latencies_ms()) out.push_back(on_viewer_clock - ahead_ms_);
    return out;
  }
  const Engine& viewer() const { return viewer_; }
  TimeMs viewer_now() const { return TimeMs{now_ + ahead_ms_}; }
  const std::vector<std::uint64_t>& played() const { return played_; }
  std::int64_t first_played_at_ms() const { return first_played_at_ms_; }  // broadcaster time

 private:
  struct InFlight {
    std::int64_t at;
    ByteVector bytes;
  };

  void publish(std::uint64_t seq, std::int64_t t) {
    const ByteVector payload = synthetic::media(seq, kChunkBytes);
    const ByteVector header = synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, seq,
                                                       TimeMs{std::int64_t(seq) * 1000}, 1000, payload);
    ASSERT_TRUE(broadcaster_.publish_chunk(header, payload, TimeMs{t}));
  }

  void deliver(std::int64_t t) {
    while (!to_viewer_.empty() && to_viewer_.front().at <= t) {
      viewer_.on_message(kBroadcaster, to_viewer_.front().bytes, TimeMs{t + ahead_ms_});
      to_viewer_.pop_front();
    }
    while (!to_broadcaster_.empty() && to_broadcaster_.front().at <= t) {
      broadcaster_.on_message(kViewer, to_broadcaster_.front().bytes, TimeMs{t});
      to_broadcaster_.pop_front();
    }
  }

  static constexpr std::uint64_t kFullUplinkBytes = 64 << 20;
  std::int64_t uplink_full_from_ms_ = 0;
  std::int64_t uplink_full_until_ms_ = 0;
  std::map<std::int64_t, std::function<void(Engine&)>> scheduled_;
  std::int64_t now_ = 0;  // broadcaster time
  std::int64_t one_way_ms_;
  std::int64_t ahead_ms_;
  Engine broadcaster_;
  Engine viewer_;
  std::deque<InFlight> to_viewer_, to_broadcaster_;
  std::vector<std::uint64_t> played_;
  std::int64_t first_played_at_ms_ = -1;
};

constexpr std::int64_t kTarget = 2500;

void expect_plays_on_in_order(const OneLink& link) {
  ASSERT_GE(link.played().size(), 8u) << link.viewer().stats_json(link.viewer_now());
  for (std::size_t i = 1; i < link.played().size(); ++i) EXPECT_EQ(link.played()[i], link.played()[i - 1] + 1);
}

TEST(SwarmJoin, OnAgreeingClocksTheStartIsTheTargetAfterCaptureHoweverFarTheHeadersTravelled) {
  for (std::int64_t one_way : {5, 150, 400}) {
    OneLink link(one_way, 0);
    link.run(5'430, 16'000);
    expect_plays_on_in_order(link);
    EXPECT_EQ(link.viewer().playback().stalls(), 0u);
    for (std::int64_t latency : link.latencies_ms()) EXPECT_EQ(latency, kTarget) << "one way " << one_way << " ms";
  }
}

TEST(SwarmJoin, ATargetLatencyChangedWhilePlayingMovesTheLaterChunksDeadlinesWithoutAStall) {
  OneLink link(5, 0);
  link.at(9'100, [&link](Engine& viewer) { viewer.set_target_latency(kTarget + 4000, link.viewer_now()); });
  link.run(5'430, 20'000);
  expect_plays_on_in_order(link);
  EXPECT_EQ(link.viewer().playback().stalls(), 0u);
  const std::vector<std::int64_t> latencies = link.latencies_ms();
  // Chunks 3-8 were handed over before the change (each as it was published), at the
  // target; every one after it plays 4 s later.
  ASSERT_GE(latencies.size(), 8u);
  for (std::size_t i = 0; i < latencies.size(); ++i) EXPECT_EQ(latencies[i], link.played()[i] <= 8 ? kTarget : kTarget + 4000) << "chunk " << link.played()[i];
}

TEST(SwarmJoin, ATargetLoweredWhilePlayingPassesOverTheChunksBeforeTheNewMomentInsteadOfWaitingForThem) {
  OneLink link(5, 0);
  link.at(9'100, [&link](Engine& viewer) { viewer.set_target_latency(kTarget + 4000, link.viewer_now()); });
  // Chunks 11-14 (published at 12-15 s) reach the viewer only at 16 s; at 15.1 s the
  // player jumps back to the moment captured at 12.6 s, past chunk 11.
  link.hold_uplink_full_between(11'500, 16'000);
  link.at(15'100, [&link](Engine& viewer) { viewer.set_target_latency(kTarget, link.viewer_now()); });
  link.run(5'430, 22'000);
  const std::vector<std::uint64_t>& played = link.played();
  ASSERT_FALSE(played.empty());
  EXPECT_EQ(std::count(played.begin(), played.end(), 11u), 0) << link.viewer().stats_json(link.viewer_now());
  EXPECT_EQ(std::count(played.begin(), played.end(), 12u), 1);
  EXPECT_EQ(played.back(), 20u);
  EXPECT_EQ(link.viewer().stats().chunks_skipped, 0u);
}

// Header travel cannot be told from a clock difference, so a clock that is ahead
// starts up to the allowance early (and may stall once), one that is behind up to the
// travel late: either way near the target, not seconds away from it.
TEST(SwarmJoin, AViewerWhoseClockIsSecondsOffStillStartsNearTheTarget) {
  const std::int64_t travel_allowance = swarm::EngineConfig{}.max_header_travel_ms;
  for (std::int64_t ahead : {-5'000, 4'000}) {
    OneLink link(150, ahead);
    link.run(5'430, 16'000);
    expect_plays_on_in_order(link);
    EXPECT_LE(link.viewer().playback().stalls(), 1u);
    const std::int64_t start = link.latencies_ms().front();
    EXPECT_GE(start, kTarget - travel_allowance) << "clock ahead by " << ahead << " ms";
    EXPECT_LE(start, kTarget + travel_allowance) << "clock ahead by " << ahead << " ms";
  }
}

// A joiner hears first from a neighbour 8 s behind the live edge, whose headers make
// the edge look 8 s old; the broadcaster's fresh headers a moment later correct that,
// and the start is chosen again before playback begins.
TEST(SwarmJoin, AStartChosenOnAStaleNeighboursHeadersIsChosenAgainWhenFresherOnesArrive) {
  OneLink link(20, 0);
  link.run(12'430, 22'000, 300, [&] { link.hear_from_stale_neighbour(2, 4); });
  expect_plays_on_in_order(link);
  EXPECT_GE(link.played().front(), 9u);
  EXPECT_EQ(link.latencies_ms().front(), kTarget);
}

// Joining at 5.1 s, the moment to start is 2.6 s and the chunk chosen holds 3.6 s
// (start_lead_ms 1000): chunk 3, captured from 3 s. Without a player lead it waits for
// its moment (3 s) to come, at 5.5 s; a player that starts 500 ms nearer the live edge
// gets it as soon as it is complete. The engine's own clock still counts the chunk as
// starting at its moment, so every later deadline is the same either way.
TEST(SwarmJoin, APlayerLeadHandsTheFirstChunkOverAsSoonAsItIsComplete) {
  for (std::uint32_t player_lead : {0u, 500u}) {
    OneLink link(5, 0, player_lead);
    link.run(5'100, 16'000);
    expect_plays_on_in_order(link);
    EXPECT_EQ(link.played().front(), 3u);
    EXPECT_EQ(link.viewer().playback().stalls(), 0u);
    for (std::int64_t latency : link.latencies_ms()) EXPECT_EQ(latency, kTarget) << "player lead " << player_lead;
    if (player_lead == 0) EXPECT_EQ(link.first_played_at_ms(), 5'500);
    else EXPECT_LT(link.first_played_at_ms(), 5'300);
  }
}

// The engine queues no media onto a transport that reports a full backlog: the viewer
// gets its first chunk only once the broadcaster's uplink drains.
TEST(SwarmJoin, NoMediaIsSentIntoAFullUplink) {
  OneLink link(5, 0);
  link.hold_uplink_full_until(9'000);
  link.run(5'430, 18'000);
  expect_plays_on_in_order(link);
  EXPECT_GE(link.first_played_at_ms(), 9'000);
  EXPECT_LT(link.first_played_at_ms(), 9'500);
}

}  // namespace
}  // namespace swarmcast::test
