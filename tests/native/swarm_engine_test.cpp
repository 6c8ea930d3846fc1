// Engines end to end over a small deterministic network: a broadcaster publishing
// signed 1 s chunks, viewers in a full mesh, link latency and per-peer upload
// capacity. Same engine code as the browser; only the network is modelled.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "swarm/engine.hpp"
#include "synthetic_stream.hpp"
#include "trust/signed_header.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::Engine;
using swarm::PeerId;

using synthetic::media;

const trust::KeyPair& stream_keys() { return synthetic::keys(11); }

ByteVector signed_header(trust::HeaderKind kind, std::uint64_t seq, TimeMs capture, ByteView payload) {
  return synthetic::signed_header(stream_keys(), kind, seq, capture, 1000, payload);
}

struct Node {
  std::unique_ptr<Engine> engine;
  double upload_bytes_per_s;
  std::int64_t link_free_at = 0;  // when its uplink finishes what is queued
  bool polluter = false;
  std::map<std::uint64_t, ByteVector> played;
};

class MiniSwarm {
 public:
  static constexpr std::int64_t kLatencyMs = 20;
  static constexpr std::size_t kChunkBytes = 60'000;

  explicit MiniSwarm(int viewers, double viewer_upload = 400'000, int polluters = 0) {
    add(PeerId{1}, true, 2'000'000);
    // Polluters take the lowest ids: ties in rank go to lower ids, so the broadcaster
    // stripes chunks through them and every viewer is offered their corrupt pieces.
    for (int i = 0; i < viewers + polluters; ++i) add(PeerId{static_cast<std::uint64_t>(2 + i)}, false, viewer_upload, i < polluters);
    for (auto& [a, na] : nodes_)
      for (auto& [b, nb] : nodes_)
        if (a < b) {
          na.engine->connect(b, TimeMs{0});
          nb.engine->connect(a, TimeMs{0});
        }
    const ByteVector init = media(999, 300);
    nodes_.at(PeerId{1}).engine->publish_init(signed_header(trust::HeaderKind::kInit, 0, TimeMs{0}, init), init, TimeMs{0});
  }

  void run_until(std::int64_t end_ms) {
    for (; now_ <= end_ms; now_ += 10) {
      if (now_ % 1000 == 0 && now_ >= 1000) publish(static_cast<std::uint64_t>(now_ / 1000 - 1));
      deliver();
      if (now_ % 50 == 0)
        for (auto& [id, node] : nodes_) step(id, node);
    }
  }

  std::map<PeerId, Node>& nodes() { return nodes_; }
  const std::map<std::uint64_t, ByteVector>& produced() const { return produced_; }

 private:
  struct InFlight {
    std::int64_t at;
    PeerId from, to;
    ByteVector bytes;
  };

  void add(PeerId id, bool broadcaster, double upload, bool polluter = false) {
    nodes_.emplace(id, Node{std::make_unique<Engine>(synthetic::engine_config(stream_keys(), id, broadcaster)), upload, 0, polluter, {}});
  }

  void publish(std::uint64_t seq) {
    const ByteVector payload = media(seq, kChunkBytes);
    produced_[seq] = payload;
    // Captured over the second that just ended.
    const TimeMs capture{now_ - 1000};
    ASSERT_TRUE(nodes_.at(PeerId{1}).engine->publish_chunk(signed_header(trust::HeaderKind::kChunk, seq, capture, payload),
                                                           payload, TimeMs{now_}));
  }

  void step(PeerId id, Node& node) {
    node.engine->tick(TimeMs{now_});
    for (auto& out : node.engine->take_outbox()) {
      if (node.polluter) corrupt(out.bytes);
      // Serialisation at the sender's upload rate, then the link latency.
      node.link_free_at = std::max(node.link_free_at, now_) +
                          static_cast<std::int64_t>(1000.0 * static_cast<double>(out.bytes.size()) / node.upload_bytes_per_s);
      wire_.push_back({node.link_free_at + kLatencyMs, id, out.to, std::move(out.bytes)});
    }
    for (PeerId gone : node.engine->take_disconnects()) cut(id, gone);
    for (auto& item : node.engine->take_playable())
      if (!item.init) node.played[item.seq.value] = std::move(item.bytes);
  }

  static void corrupt(ByteVector& bytes) {
    auto message = wire::decode(bytes);
    if (!message || !std::holds_alternative<wire::Piece>(message.value())) return;
    auto& piece = std::get<wire::Piece>(message.value());
    piece.bytes[piece.bytes.size() / 2] ^= 0x40;
    bytes = wire::encode(piece);
  }

  void cut(PeerId a, PeerId b) {
    nodes_.at(a).engine->disconnect(b, TimeMs{now_});
    if (auto it = nodes_.find(b); it != nodes_.end()) it->second.engine->disconnect(a, TimeMs{now_});
    cut_.insert({std::min(a, b), std::max(a, b)});
  }

  void deliver() {
    std::stable_sort(wire_.begin(), wire_.end(), [](const InFlight& x, const InFlight& y) { return x.at < y.at; });
    while (!wire_.empty() && wire_.front().at <= now_) {
      InFlight m = std::move(wire_.front());
      wire_.pop_front();
      if (cut_.count({std::min(m.from, m.to), std::max(m.from, m.to)}) != 0) continue;
      nodes_.at(m.to).engine->on_message(m.from, m.bytes, TimeMs{now_});
    }
    for (auto& [id, node] : nodes_)
      for (auto& [other, _] : nodes_)
        if (other != id) node.engine->set_buffered_amount(other, 0);
    // What each sender still has queued on its uplink is its backlog.
    for (const InFlight& m : wire_)
      if (m.at - kLatencyMs > now_) {
        auto& sender = nodes_.at(m.from);
        sender.engine->set_buffered_amount(m.to, static_cast<std::uint64_t>((m.at - kLatencyMs - now_) * sender.upload_bytes_per_s / 1000));
      }
  }

  std::map<PeerId, Node> nodes_;
  std::deque<InFlight> wire_;
  std::set<std::pair<PeerId, PeerId>> cut_;
  std::map<std::uint64_t, ByteVector> produced_;
  std::int64_t now_ = 0;
};

TEST(SwarmEngine, FourViewersPlayEveryChunkInOrderMostlyFromEachOther) {
  MiniSwarm swarm(4);
  swarm.run_until(25'000);
  std::uint64_t received = 0, from_source = 0;
  for (auto& [id, node] : swarm.nodes()) {
    if (id == PeerId{1}) continue;
    const auto& s = node.engine->stats();
    EXPECT_GE(node.played.size(), 18u) << "viewer " << id.value << " " << node.engine->stats_json(TimeMs{25'000});
    for (const auto& [seq, bytes] : node.played) EXPECT_EQ(bytes, swarm.produced().at(seq)) << "chunk " << seq;
    EXPECT_EQ(s.chunks_skipped, 0u) << node.engine->stats_json(TimeMs{25'000});
    EXPECT_LT(node.engine->playback().stalled_ms(), 1000) << node.engine->stats_json(TimeMs{25'000});
    // What it reports of its answers to the server's scorer: it relayed, and every
    // piece it sent or refused was one asked of it.
    EXPECT_GT(s.piece_requests_served, 0u);
    EXPECT_LE(s.piece_requests_served + s.piece_requests_refused, s.piece_requests_received);
    received += s.media_bytes_received;
    from_source += s.media_bytes_from_source;
  }
  const double offload = 1.0 - static_cast<double>(from_source) / static_cast<double>(received);
  const auto& source = swarm.nodes().at(PeerId{1}).engine->stats();
  const double produced = static_cast<double>(swarm.produced().size() * MiniSwarm::kChunkBytes);
  std::printf("offload %.3f, source upload factor %.2f\n", offload, static_cast<double>(source.media_bytes_sent) / produced);
  EXPECT_GE(offload, 0.5);
  EXPECT_LE(static_cast<double>(source.media_bytes_sent) / produced, 2.0);
}

TEST(SwarmEngine, APolluterIsBannedAndNoneOfItsBytesArePlayed) {
  MiniSwarm swarm(4, 400'000, /*polluters=*/1);
  swarm.run_until(20'000);
  const PeerId polluter{2};
  std::uint64_t bans = 0;
  for (auto& [id, node] : swarm.nodes()) {
    if (id == polluter) continue;
    bans += node.engine->stats().bans;
    for (const auto& [seq, bytes] : node.played) EXPECT_EQ(bytes, swarm.produced().at(seq)) << "chunk " << seq;
    if (id != PeerId{1}) EXPECT_GE(node.played.size(), 15u) << node.engine->stats_json(TimeMs{20'000});
  }
  // Every honest viewer it sent a corrupt piece to banned it; the broadcaster got none.
  EXPECT_GE(bans, 3u);
  EXPECT_EQ(swarm.nodes().at(PeerId{1}).engine->stats().bans, 0u);
}

}  // namespace
}  // namespace swarmcast::test
