// Where a joining viewer starts when keyframes are sparser than chunks (Firefox's
// recorder makes one every 6-7 s, so most of its chunks begin within a group of
// pictures): only on a chunk whose first frame is a keyframe, the newest one at or
// before the moment it aims at, and then it catches up to its target latency.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <string_view>

#include "swarm/engine.hpp"
#include "swarm/start_choice.hpp"
#include "synthetic_stream.hpp"
#include "trust/merkle.hpp"

namespace swarmcast::test {
namespace {

using swarm::ChunkBuffer;
using swarm::Engine;
using swarm::PeerId;

const trust::KeyPair& stream_keys() { return synthetic::keys(41); }
constexpr std::size_t kChunkBytes = 40'000;

// Chunk k of a stream of 1 s chunks (captured over [k s, k+1 s)), keyframe or not.
ByteVector header_of(std::uint64_t seq, bool keyframe, const ByteVector& payload) {
  return synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, seq, TimeMs{std::int64_t(seq) * 1000}, 1000,
                                  payload, keyframe);
}

// A buffer from a literal, one character per chunk from seq 0: 'K' a keyframe chunk
// held whole, 'k' a keyframe chunk whose pieces are missing, '.' a chunk that starts
// within a group of pictures (held whole), ' ' a chunk not heard of.
ChunkBuffer buffer_of(std::string_view chunks) {
  ChunkBuffer buffer(swarm::BufferConfig{.window_ms = 60'000});
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i] == ' ') continue;
    const ByteVector payload = synthetic::media(i, kChunkBytes);
    const auto header = trust::decode_signed_header(header_of(i, chunks[i] != '.', payload)).value().header;
    EXPECT_EQ(buffer.add_header(header, trust::piece_hashes(payload), TimeMs{0}), swarm::HeaderOutcome::kAccepted);
    if (chunks[i] == 'k') continue;
    for (std::uint32_t p = 0; p < trust::piece_count(payload.size()); ++p)
      buffer.add_piece(ChunkId{ChunkSeq{i}}, PieceIndex{p}, trust::piece_of(payload, PieceIndex{p}));
  }
  return buffer;
}

std::optional<std::uint64_t> start_at(std::string_view chunks, std::int64_t wanted_ms) {
  const auto chosen = swarm::start_chunk(buffer_of(chunks).chunks(), RenditionId{0}, wanted_ms);
  return chosen ? std::optional(chosen->value) : std::nullopt;
}

TEST(StartChunk, IsTheNewestKeyframeChunkAtOrBeforeTheMomentWanted) {
  EXPECT_EQ(start_at("K...K...K...", 6'500), 4u);
  EXPECT_EQ(start_at("K...K...K...", 8'000), 8u);
  EXPECT_EQ(start_at("K...K...K...", 7'999), 4u);
  EXPECT_EQ(start_at("KKKKKKKK", 5'300), 5u);  // a keyframe in every chunk: the chunk holding the moment
  EXPECT_EQ(start_at("K...k...", 11'000), 4u);  // pieces still missing do not matter here
}

TEST(StartChunk, IsTheOldestKeyframeChunkWhenAllAreLaterThanTheMoment) {
  EXPECT_EQ(start_at("  ..K...K", 1'000), 4u);
  EXPECT_EQ(start_at("....K...K", 3'999), 4u);
}

TEST(StartChunk, IsNothingWhileNoKeyframeChunkIsKnown) {
  EXPECT_EQ(start_at("", 5'000), std::nullopt);
  EXPECT_EQ(start_at("   ......", 5'000), std::nullopt);
}

TEST(LaterStart, MovesOnlyToACompleteKeyframeChunkThatBeginsByTheMoment) {
  const ChunkBuffer buffer = buffer_of("K...K...k...K");
  const auto later = [&](std::uint64_t chosen, std::int64_t moment) {
    return swarm::later_start(buffer.chunks(), ChunkId{ChunkSeq{chosen}}, moment).value;
  };
  EXPECT_EQ(later(0, 500), 0u);     // the moment is within the chunk chosen
  EXPECT_EQ(later(0, 3'500), 0u);   // past it, but no keyframe chunk since
  EXPECT_EQ(later(0, 4'000), 4u);
  EXPECT_EQ(later(0, 11'000), 4u);  // chunk 8 is a keyframe but not complete
  EXPECT_EQ(later(0, 12'000), 12u);
  EXPECT_EQ(later(4, 4'900), 4u);
}

constexpr PeerId kBroadcaster{1};
constexpr PeerId kViewer{2};
constexpr std::int64_t kStepMs = 10;
constexpr std::int64_t kOneWayMs = 5;
constexpr std::int64_t kTarget = 2500;

swarm::EngineConfig config(PeerId self, bool broadcaster) {
  return synthetic::engine_config(stream_keys(), self, broadcaster);
}

// A broadcaster and one viewer over a link with a 5 ms one-way delay, on one clock.
// Chunk k (1 s) is published at (k + 1) s; `keyframe(k)` says whether it starts at a
// keyframe. The viewer joins at `join_ms`.
class SparseKeyframes {
 public:
  explicit SparseKeyframes(std::function<bool(std::uint64_t)> keyframe)
      : keyframe_(std::move(keyframe)), broadcaster_(config(kBroadcaster, true)), viewer_(config(kViewer, false)) {
    const ByteVector init = synthetic::media(999, 300);
    broadcaster_.publish_init(synthetic::signed_header(stream_keys(), trust::HeaderKind::kInit, 0, TimeMs{0}, 1000, init),
                              init, TimeMs{0});
  }

  void run(std::int64_t join_ms, std::int64_t run_ms) {
    for (std::int64_t t = 0; t <= run_ms; t += kStepMs) {
      if (t == join_ms) {
        broadcaster_.connect(kViewer, TimeMs{t});
        viewer_.connect(kBroadcaster, TimeMs{t});
      }
      if (t % 1000 == 0 && t >= 1000) {
        const auto seq = static_cast<std::uint64_t>(t / 1000 - 1);
        const ByteVector payload = synthetic::media(seq, kChunkBytes);
        EXPECT_TRUE(broadcaster_.publish_chunk(header_of(seq, keyframe_(seq), payload), payload, TimeMs{t}));
      }
      deliver(t);
      broadcaster_.set_buffered_amount_everywhere(0);
      broadcaster_.tick(TimeMs{t});
      for (auto& m : broadcaster_.take_outbox()) to_viewer_.push_back({t + kOneWayMs, std::move(m.bytes)});
      if (t < join_ms) continue;
      viewer_.set_buffered_amount(kBroadcaster, 0);
      viewer_.tick(TimeMs{t});
      for (auto& m : viewer_.take_outbox()) to_broadcaster_.push_back({t + kOneWayMs, std::move(m.bytes)});
      for (auto& item : viewer_.take_playable()) {
        if (item.init) continue;
        if (played_.empty()) first_played_at_ms_ = t;
        played_.push_back(item.seq.value);
      }
    }
  }

  const Engine& viewer() const { return viewer_; }
  const std::vector<std::uint64_t>& played() const { return played_; }
  std::int64_t first_played_at_ms() const { return first_played_at_ms_; }

 private:
  struct InFlight {
    std::int64_t at;
    ByteVector bytes;
  };

  void deliver(std::int64_t t) {
    for (auto* queue : {&to_viewer_, &to_broadcaster_}) {
      Engine& to = queue == &to_viewer_ ? viewer_ : broadcaster_;
      const PeerId from = queue == &to_viewer_ ? kBroadcaster : kViewer;
      while (!queue->empty() && queue->front().at <= t) {
        to.on_message(from, queue->front().bytes, TimeMs{t});
        queue->pop_front();
      }
    }
  }

  std::function<bool(std::uint64_t)> keyframe_;
  Engine broadcaster_;
  Engine viewer_;
  std::deque<InFlight> to_viewer_, to_broadcaster_;
  std::vector<std::uint64_t> played_;
  std::int64_t first_played_at_ms_ = -1;
};

void expect_in_order(const std::vector<std::uint64_t>& played) {
  for (std::size_t i = 1; i < played.size(); ++i) EXPECT_EQ(played[i], played[i - 1] + 1);
}

// Joining at 9.43 s aims at the moment captured at 6.93 s (start_lead_ms ahead: 7.93 s).
// With a keyframe every 4 chunks that is inside chunk 4's group of pictures: the
// player starts at chunk 4's end, 2 s behind its target, plays on as the next chunks
// arrive, and jumps to its target as soon as a chunk that holds the moment is handed
// over; from there every chunk plays at the target. Here only the source holds the
// chunks, and it is asked for one only source_margin_ms before the player needs it,
// so the chunk holding the moment is chunk 9, handed over ~2.4 s after the join.
TEST(SparseKeyframeJoin, StartsOnTheNewestKeyframeChunkThenCatchesUpToTheTarget) {
  SparseKeyframes stream([](std::uint64_t seq) { return seq % 4 == 0; });
  stream.run(9'430, 24'000);
  ASSERT_GE(stream.played().size(), 12u) << stream.viewer().stats_json(TimeMs{24'000});
  EXPECT_EQ(stream.played().front(), 4u);
  expect_in_order(stream.played());
  EXPECT_LT(stream.first_played_at_ms() - 9'430, 300);
  const std::vector<std::int64_t>& latencies = stream.viewer().playback().latencies_ms();
  EXPECT_GT(latencies.front(), kTarget + 1500);
  const auto at_target = static_cast<std::size_t>(
      std::find(latencies.begin(), latencies.end(), kTarget) - latencies.begin());
  ASSERT_LT(at_target, latencies.size());
  EXPECT_LE(stream.played()[at_target], 10u);
  for (std::size_t i = at_target; i < latencies.size(); ++i) EXPECT_EQ(latencies[i], kTarget) << "chunk " << stream.played()[i];
  // Starting at chunk 4's very end, it waits a moment for chunk 5, asked of the source
  // at the same time as chunk 4.
  EXPECT_LE(stream.viewer().playback().stalls(), 1u);
  EXPECT_LT(stream.viewer().playback().stalled_ms(), 100);
  EXPECT_EQ(stream.viewer().stats().chunks_skipped, 0u);
}

// With a keyframe in every chunk, the start is the chunk that holds the moment
// start_lead_ms ahead, as it always was, and the player starts at its target.
TEST(SparseKeyframeJoin, AKeyframeInEveryChunkStartsAtTheTargetAsBefore) {
  SparseKeyframes stream([](std::uint64_t) { return true; });
  stream.run(9'430, 20'000);
  ASSERT_GE(stream.played().size(), 8u);
  EXPECT_EQ(stream.played().front(), 7u);
  for (std::int64_t latency : stream.viewer().playback().latencies_ms()) EXPECT_EQ(latency, kTarget);
}

// No chunk the viewer can see starts at a keyframe until chunk 12 (captured at 12 s):
// nothing goes to the player before it, however long that takes, and then chunk 12
// plays first, at its own moment.
TEST(SparseKeyframeJoin, NothingIsHandedOverBeforeAKeyframeChunk) {
  SparseKeyframes stream([](std::uint64_t seq) { return seq == 12; });
  stream.run(5'430, 22'000);
  ASSERT_FALSE(stream.played().empty()) << stream.viewer().stats_json(TimeMs{22'000});
  EXPECT_EQ(stream.played().front(), 12u);
  expect_in_order(stream.played());
  EXPECT_GE(stream.first_played_at_ms(), 12'000 + kTarget - 10);
  EXPECT_EQ(stream.viewer().stats().chunks_skipped, 0u);
  for (std::int64_t latency : stream.viewer().playback().latencies_ms()) EXPECT_EQ(latency, kTarget);
}

}  // namespace
}  // namespace swarmcast::test
