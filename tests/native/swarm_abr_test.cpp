// The engine across renditions, end to end: a broadcaster publishing two renditions of
// 1 s chunks, viewers in a full mesh, and one viewer whose download is capped for a
// while (a literal schedule). That viewer switches down before its buffer runs out and
// back up once the cap is lifted; the others stay on the top rendition; every chunk
// any of them plays is the one the broadcaster published, seq after seq.
#include <gtest/gtest.h>

#include <algorithm>
#include <bitset>
#include <deque>
#include <map>

#include "swarm/engine.hpp"
#include "synthetic_stream.hpp"
#include "trust/rendition_ladder.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::Engine;
using swarm::PeerId;

const trust::KeyPair& stream_keys() { return synthetic::keys(23); }

constexpr RenditionId kTop{0};
constexpr RenditionId kLow{1};
constexpr std::size_t kTopChunkBytes = 150'000;  // 1.2 Mbit/s
constexpr std::size_t kLowChunkBytes = 37'500;   // 300 kbit/s

trust::RenditionLadder two_renditions() {
  return trust::RenditionLadder{stream_keys().public_key, 1, ChunkSeq{0},
                                {trust::Rendition{kTop, 640, 360, 1'200'000, 30'000, "vp8,opus"},
                                 trust::Rendition{kLow, 320, 180, 300'000, 30'000, "vp8,opus"}}};
}

// Chunk seq of a rendition, as the broadcaster publishes it.
ByteVector payload_of(std::uint64_t seq, RenditionId rendition) {
  return synthetic::media(seq * 8 + rendition.value, rendition == kTop ? kTopChunkBytes : kLowChunkBytes);
}

struct Played {
  std::uint64_t seq;
  RenditionId rendition;
  bool init;
  bool intact;  // the bytes the broadcaster published
};

struct InFlight {
  std::int64_t at;  // when it reaches the receiver's downlink
  PeerId from;
  ByteVector bytes;
};

struct Node {
  std::unique_ptr<Engine> engine;
  double upload_bytes_per_s;
  std::int64_t up_free_at = 0;  // when its uplink finishes what is queued
  std::deque<InFlight> incoming;  // on its downlink, in the order they reached it
  double down_credit = 0;         // bytes its downlink may still deliver this step
  std::vector<Played> played;
  std::map<std::int64_t, RenditionId> playing_at;  // sampled each second
};

class AbrSwarm {
 public:
  static constexpr PeerId kBroadcaster{1};

  static constexpr std::int64_t kStepMs = 10;

  // `capped`'s download carries `cap_bytes_per_s` from `cap_from_ms` until `cap_until_ms`;
  // every other download, and that one outside the cap, carries 2 MB/s. Every message
  // takes `latency_ms` on its way, besides its time on the links.
  AbrSwarm(int viewers, PeerId capped, double cap_bytes_per_s, std::int64_t cap_from_ms, std::int64_t cap_until_ms,
           std::int64_t latency_ms = 20)
      : capped_(capped), cap_(cap_bytes_per_s), cap_from_(cap_from_ms), cap_until_(cap_until_ms), latency_ms_(latency_ms) {
    add(kBroadcaster, true, 3'000'000);
    for (int i = 0; i < viewers; ++i) add(PeerId{static_cast<std::uint64_t>(2 + i)}, false, 600'000);
    for (auto& [a, na] : nodes_)
      for (auto& [b, nb] : nodes_)
        if (a < b) {
          na.engine->connect(b, TimeMs{0});
          nb.engine->connect(a, TimeMs{0});
        }
    Engine& source = *nodes_.at(kBroadcaster).engine;
    EXPECT_TRUE(source.publish_ladder(trust::sign_ladder(two_renditions(), stream_keys().secret_key).value(), TimeMs{0}));
    for (RenditionId r : {kTop, kLow}) {
      const ByteVector init = synthetic::media(900 + r.value, 300);
      EXPECT_TRUE(source.publish_init(header(trust::HeaderKind::kInit, 0, TimeMs{0}, init, r), init, TimeMs{0}));
    }
  }

  void run_until(std::int64_t end_ms) {
    for (; now_ <= end_ms; now_ += kStepMs) {
      if (now_ % 1000 == 0 && now_ >= 1000) publish(static_cast<std::uint64_t>(now_ / 1000 - 1));
      deliver();
      if (now_ % 50 == 0)
        for (auto& [id, node] : nodes_) step(id, node);
      if (now_ % 1000 == 0)
        for (auto& [id, node] : nodes_) node.playing_at[now_] = node.engine->playing();
    }
  }

  Node& node(PeerId id) { return nodes_.at(id); }
  std::map<PeerId, Node>& nodes() { return nodes_; }
  // `from`'s channel to `to` reports this much more waiting than is on the way: a page
  // that reads its channel late.
  void add_backlog(PeerId from, PeerId to, std::uint64_t bytes) { extra_backlog_[{from, to}] = bytes; }

 private:
  static ByteVector header(trust::HeaderKind kind, std::uint64_t seq, TimeMs capture, ByteView payload, RenditionId r) {
    return synthetic::signed_header(stream_keys(), kind, seq, capture, 1000, payload, true, r);
  }

  void add(PeerId id, bool broadcaster, double upload) {
    nodes_.emplace(id, Node{std::make_unique<Engine>(synthetic::engine_config(stream_keys(), id, broadcaster)), upload});
  }

  double download_bytes_per_s(PeerId id, std::int64_t at) const {
    return id == capped_ && at >= cap_from_ && at < cap_until_ ? cap_ : 2'000'000;
  }

  void publish(std::uint64_t seq) {
    const TimeMs capture{now_ - 1000};  // captured over the second that just ended
    for (RenditionId r : {kTop, kLow}) {
      const ByteVector payload = payload_of(seq, r);
      ASSERT_TRUE(node(kBroadcaster).engine->publish_chunk(header(trust::HeaderKind::kChunk, seq, capture, payload, r),
                                                           payload, TimeMs{now_}));
    }
  }

  void step(PeerId id, Node& node) {
    node.engine->tick(TimeMs{now_});
    for (auto& out : node.engine->take_outbox()) {
      // Serialisation at the sender's upload rate and the link latency; then the
      // receiver's download (deliver()).
      const auto size = static_cast<double>(out.bytes.size());
      node.up_free_at = std::max(node.up_free_at, now_) + static_cast<std::int64_t>(1000.0 * size / node.upload_bytes_per_s);
      std::deque<InFlight>& queue = nodes_.at(out.to).incoming;
      const InFlight message{node.up_free_at + latency_ms_, id, std::move(out.bytes)};
      queue.insert(std::upper_bound(queue.begin(), queue.end(), message.at,
                                    [](std::int64_t at, const InFlight& m) { return at < m.at; }),
                   message);
    }
    for (auto& item : node.engine->take_playable()) {
      const bool intact = item.init || item.bytes == payload_of(item.seq.value, item.rendition);
      node.played.push_back({item.seq.value, item.rendition, item.init, intact});
    }
  }

  // Each downlink passes what reached it, in order, at its rate of the moment.
  void deliver() {
    for (auto& [id, n] : nodes_) {
      const double step_bytes = download_bytes_per_s(id, now_) * kStepMs / 1000.0;
      n.down_credit = n.incoming.empty() || n.incoming.front().at > now_ ? step_bytes : n.down_credit + step_bytes;
      while (!n.incoming.empty() && n.incoming.front().at <= now_ && n.down_credit > 0) {
        const InFlight m = std::move(n.incoming.front());
        n.incoming.pop_front();
        n.down_credit -= static_cast<double>(m.bytes.size());
        n.engine->on_message(m.from, m.bytes, TimeMs{now_});
      }
    }
    // A sender's backlog towards a peer is what it sent that has not arrived yet, on
    // its uplink or on the peer's downlink, as a data channel's bufferedAmount counts
    // what the congestion control holds back.
    std::map<std::pair<PeerId, PeerId>, std::uint64_t> backlog = extra_backlog_;
    for (auto& [id, n] : nodes_)
      for (const InFlight& m : n.incoming) backlog[{m.from, id}] += m.bytes.size();
    for (auto& [id, n] : nodes_)
      for (auto& [other, _] : nodes_)
        if (other != id) n.engine->set_buffered_amount(other, backlog[{id, other}]);
  }

  PeerId capped_;
  double cap_;
  std::int64_t cap_from_, cap_until_;
  std::int64_t latency_ms_;
  std::map<PeerId, Node> nodes_;
  std::map<std::pair<PeerId, PeerId>, std::uint64_t> extra_backlog_;
  std::int64_t now_ = 0;
};

// The chunks played, in order: seq after seq with no gap and no repeat (no jump back or
// forward), each the bytes published, and each switch preceded by its init segment.
void expect_seamless(const Node& node, const char* who) {
  std::optional<std::uint64_t> last_seq;
  std::optional<RenditionId> init_for;
  std::optional<RenditionId> rendition;
  for (const Played& p : node.played) {
    EXPECT_TRUE(p.intact) << who << " seq " << p.seq;
    if (p.init) {
      init_for = p.rendition;
      continue;
    }
    if (last_seq) EXPECT_EQ(p.seq, *last_seq + 1) << who;
    if (rendition != p.rendition) EXPECT_EQ(init_for, p.rendition) << who << ": switched at " << p.seq << " without its init";
    last_seq = p.seq;
    rendition = p.rendition;
  }
}

std::size_t switches(const Node& node) {
  std::size_t n = 0;
  std::optional<RenditionId> rendition;
  for (const Played& p : node.played) {
    if (p.init) continue;
    if (rendition && *rendition != p.rendition) ++n;
    rendition = p.rendition;
  }
  return n;
}

TEST(AbrSwarm, ACappedViewerSwitchesDownBeforeItStallsAndBackUpWhenTheCapIsLifted) {
  constexpr PeerId kCapped{4};
  // 110 KB/s carries the low rendition (37.5 KB/s) and not the top one (150 KB/s).
  AbrSwarm swarm(3, kCapped, 110'000, 20'000, 40'000);
  swarm.run_until(60'000);

  const Node& capped = swarm.node(kCapped);
  for (const auto& [t, rendition] : capped.playing_at)
    if (t < 20'000) EXPECT_EQ(rendition, kTop) << "uncapped, it starts and stays on the top, at " << t;
  // The viewer holds about 1.5 s of media (2.5 s of latency, less a chunk's travel):
  // the rule sees the drop and switches within a few seconds, a stall of a couple of
  // seconds at most on the way.
  bool down_in_time = false;
  for (std::int64_t t = 20'000; t <= 26'000; t += 1000) down_in_time |= capped.playing_at.at(t) == kLow;
  EXPECT_TRUE(down_in_time) << "down within 6 s of the cap";
  for (std::int64_t t = 27'000; t < 40'000; t += 1000) EXPECT_EQ(capped.playing_at.at(t), kLow) << "at " << t;
  bool up_in_time = false;
  for (std::int64_t t = 40'000; t <= 50'000; t += 1000) up_in_time |= capped.playing_at.at(t) == kTop;
  EXPECT_TRUE(up_in_time) << "back up within 10 s of the cap's end";
  EXPECT_EQ(capped.engine->stats().chunks_skipped, 0u);
  EXPECT_LE(capped.engine->playback().stalled_ms(), 3000);
  EXPECT_GE(capped.engine->stats().switches_down, 1u);
  EXPECT_EQ(capped.engine->stats().switches_up, 1u);  // after the cap: it started on the top, its link's rate
  expect_seamless(capped, "capped viewer");

  for (PeerId other : {PeerId{2}, PeerId{3}}) {
    const Node& viewer = swarm.node(other);
    for (std::int64_t t = 20'000; t <= 60'000; t += 1000) EXPECT_EQ(viewer.playing_at.at(t), kTop) << other.value << " at " << t;
    EXPECT_EQ(viewer.engine->stats().chunks_skipped, 0u);
    EXPECT_LE(switches(viewer), 1u) << "no oscillation";
    expect_seamless(viewer, "uncapped viewer");
  }
}

// A cap so tight that requests time out: the busy period of the link they opened ends
// with no piece to close it. Once the cap is lifted, the viewer still measures its link
// (it is fed by the broadcaster's pushes, asking for little) and goes back up.
TEST(AbrSwarm, AViewerWhoseRequestsTimedOutStillMeasuresItsLinkAndGoesBackUp) {
  constexpr PeerId kCapped{4};
  AbrSwarm swarm(3, kCapped, 45'000, 20'000, 40'000);
  swarm.run_until(60'000);
  const Node& capped = swarm.node(kCapped);
  EXPECT_GT(capped.engine->stats().requests_timed_out, 0u);
  EXPECT_EQ(capped.playing_at.at(39'000), kLow);
  bool up_in_time = false;
  for (std::int64_t t = 40'000; t <= 50'000; t += 1000) up_in_time |= capped.playing_at.at(t) == kTop;
  EXPECT_TRUE(up_in_time) << "back up within 10 s of the cap's end";
}

// The broadcaster stripes each chunk across both viewers while one's channel holds less
// than a second of the stream waiting (a busy page reads in bursts), and leaves out one
// whose channel holds more: its link is behind. Both play on whichever.
TEST(AbrSwarm, ARelayIsLeftOutOfTheStripesOnlyWhenItsChannelHoldsMoreThanASecond) {
  constexpr PeerId kSlow{2};
  const auto from_source_share = [&](std::uint64_t backlog) {
    AbrSwarm swarm(2, PeerId{99}, 0, 0, 0);  // nobody capped
    swarm.add_backlog(AbrSwarm::kBroadcaster, kSlow, backlog);
    swarm.run_until(20'000);
    for (PeerId id : {PeerId{2}, PeerId{3}}) {
      EXPECT_EQ(swarm.node(id).engine->stats().chunks_skipped, 0u) << "backlog " << backlog;
      expect_seamless(swarm.node(id), "viewer");
    }
    const auto& stats = swarm.node(kSlow).engine->stats();
    return static_cast<double>(stats.media_bytes_from_source) / static_cast<double>(stats.media_bytes_received);
  };
  // 100 KB is two thirds of a second of the top rendition (150 KB/s), 200 KB more than one.
  const double reading_late = from_source_share(100'000);
  const double behind = from_source_share(200'000);
  EXPECT_GT(reading_late, 0.3) << "still given its stripes";
  EXPECT_LT(behind, 0.1) << "left out: it fetches the chunks from the other viewer";
}

// The viewer's own choice holds whatever the link does, and Auto takes over again; a
// rendition the device cannot decode is never played.
TEST(AbrSwarm, AManualChoiceHoldsUntilAutoAndUndecodableRenditionsAreSkipped) {
  constexpr PeerId kChooser{3};
  constexpr PeerId kCannotDecodeTop{2};
  AbrSwarm swarm(3, PeerId{99}, 0, 0, 0);  // nobody capped
  swarm.node(kCannotDecodeTop).engine->set_undecodable(std::bitset<trust::kMaxRenditions>{1u << kTop.value});
  swarm.run_until(15'000);
  Engine& chooser = *swarm.node(kChooser).engine;
  ASSERT_EQ(chooser.playing(), kTop);
  chooser.set_rendition_choice(kLow);
  swarm.run_until(30'000);
  const Node& chose = swarm.node(kChooser);
  EXPECT_EQ(chose.playing_at.at(18'000), kLow) << "switched at the next chunk";
  for (std::int64_t t = 18'000; t <= 30'000; t += 1000) EXPECT_EQ(chose.playing_at.at(t), kLow) << "at " << t;
  EXPECT_EQ(chooser.last_abr_decision().reason, swarm::AbrReason::kManual);
  EXPECT_EQ(chooser.rendition_choice(), kLow);
  chooser.set_rendition_choice(std::nullopt);
  swarm.run_until(45'000);
  EXPECT_EQ(chooser.playing(), kTop) << "Auto: back up on a link with headroom";
  EXPECT_EQ(chooser.stats().chunks_skipped, 0u);
  expect_seamless(chose, "chooser");
  EXPECT_GT(chooser.stats().ms_on_rendition[kLow.value], 10'000u);

  const Node& low_only = swarm.node(kCannotDecodeTop);
  for (const auto& [t, rendition] : low_only.playing_at)
    if (t >= 5'000) EXPECT_EQ(rendition, kLow) << "at " << t;
  EXPECT_EQ(low_only.engine->stats().ms_on_rendition[kTop.value], 0u);
  expect_seamless(low_only, "viewer that cannot decode the top rendition");
}

// The rate the rule reads of a viewer's link, from its stats report.
double link_bytes_per_s(const Engine& engine) {
  for (const swarm::StatField& field : engine.stats_report(TimeMs{0}))
    if (field.name == "abr_link_bytes_per_s") return field.value ? static_cast<double>(*field.value) : 0;
  return 0;
}

// Complete chunks of `rendition` that `engine` holds, of seqs first..last.
int complete_chunks(const Engine& engine, RenditionId rendition, std::uint64_t first, std::uint64_t last) {
  int n = 0;
  for (std::uint64_t seq = first; seq <= last; ++seq) n += engine.buffer().complete({ChunkSeq{seq}, rendition}) ? 1 : 0;
  return n;
}

// Peers 150 ms away, a fast link: a viewer on the low rendition still measures the
// headroom its link has for the top one, so Auto takes it back up (that a round trip per
// batch of pieces is not taken for a slow link, abr-1000 shows at scale: viewers fed by
// requests rather than by the broadcaster's stripes). Meanwhile its neighbours, whose
// links carry both renditions, keep the low one too, so that a viewer that goes down
// finds it held near; nobody playing it, nobody fetches it.
TEST(AbrSwarm, AViewerOnTheLowRenditionFindsHeadroomAndItsNeighboursKeepItsRendition) {
  constexpr PeerId kChooser{3};
  constexpr PeerId kNeighbour{2};
  AbrSwarm swarm(3, PeerId{99}, 0, 0, 0, 150);
  swarm.run_until(12'000);
  Engine& chooser = *swarm.node(kChooser).engine;
  ASSERT_EQ(chooser.playing(), kTop);
  chooser.set_rendition_choice(kLow);
  swarm.run_until(30'000);
  ASSERT_EQ(chooser.playing(), kLow);
  EXPECT_GE(link_bytes_per_s(chooser), 2.0 * kTopChunkBytes) << "the link's rate, with headroom for the top rendition";
  EXPECT_GE(complete_chunks(*swarm.node(kNeighbour).engine, kLow, 16, 26), 9) << "kept for the viewer that plays it";
  chooser.set_rendition_choice(std::nullopt);
  swarm.run_until(60'000);
  EXPECT_EQ(chooser.playing(), kTop) << "Auto: back up";
  for (const auto& [id, node] : swarm.nodes())
    if (id != AbrSwarm::kBroadcaster) EXPECT_EQ(node.playing_at.at(48'000), kTop) << id.value;
  EXPECT_EQ(complete_chunks(*swarm.node(kNeighbour).engine, kLow, 50, 58), 0) << "nobody plays it: nobody keeps it";
  EXPECT_EQ(chooser.stats().chunks_skipped, 0u);
  expect_seamless(swarm.node(kChooser), "chooser");
}

}  // namespace
}  // namespace swarmcast::test
