// The HTTP fallback: a viewer whose peers cannot deliver in time fetches from the
// origin near the deadline, verifies what it gets like anything from a peer, and
// serves it on. The origin here is a map of signed bodies; the test plays transport.
#include <gtest/gtest.h>

#include <map>

#include "swarm/engine.hpp"
#include "trust/merkle.hpp"
#include "synthetic_stream.hpp"
#include "trust/signed_header.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::Engine;
using swarm::HttpFetch;
using swarm::HttpFetchKind;
using swarm::PeerId;

constexpr std::size_t kChunkBytes = 40'000;  // 3 pieces

const trust::KeyPair& stream_keys() { return synthetic::keys(21); }

// What the broadcaster signs and PUTs: header and payload, as the origin keeps them.
struct Body {
  ByteVector header;
  ByteVector payload;
};

Body signed_body(trust::HeaderKind kind, std::uint64_t seq, TimeMs capture, std::size_t bytes,
                 const trust::KeyPair& keys = stream_keys()) {
  Body b;
  b.payload = synthetic::media(seq, bytes);
  b.header = synthetic::signed_header(keys, kind, seq, capture, 1000, b.payload);
  return b;
}

Body chunk_body(std::uint64_t seq) { return signed_body(trust::HeaderKind::kChunk, seq, TimeMs{std::int64_t(seq) * 1000}, kChunkBytes); }
Body init_body() { return signed_body(trust::HeaderKind::kInit, 0, TimeMs{0}, 300); }

swarm::EngineConfig viewer_config(PeerId self, bool origin) {
  swarm::EngineConfig config;
  config.self = self;
  config.stream = stream_keys().public_key;
  config.scheduler.http_origin = origin;
  return config;
}

wire::Handshake hello(PeerId id) {
  wire::Handshake h;
  h.stream_key = stream_keys().public_key.bytes;
  h.peer_id = id;
  h.role = swarm::Role::kRelay;
  return h;
}

// A viewer linked to one peer that announces every chunk as it is published (from
// second 1, chunk k captured over second k) but never unchokes it: a link that carries
// headers and haves, and no media. The origin holds each chunk from its publication.
class ChokedViewer {
 public:
  explicit ChokedViewer(bool origin) : viewer_(viewer_config(PeerId{1}, origin)) {
    viewer_.connect(kPeer, TimeMs{0});
    say(hello(kPeer));
    const Body init = init_body();
    say(wire::InitSegment{init.header, init.payload});
  }

  void run_until(std::int64_t end_ms) {
    for (; now_ <= end_ms; now_ += 50) {
      if (now_ % 1000 == 0 && now_ >= 1000) publish(static_cast<std::uint64_t>(now_ / 1000 - 1));
      say(wire::Ping{1});  // the peer stays alive
      viewer_.tick(TimeMs{now_});
      viewer_.take_outbox();
      for (const HttpFetch& fetch : viewer_.take_http_fetches()) {
        ASSERT_EQ(fetch.kind, HttpFetchKind::kChunk);
        const ChunkSeq seq{fetch.number};
        asked_.emplace_back(seq, now_);
        const auto body = origin_.find(seq.value);
        if (body == origin_.end()) continue;  // not there yet: a 404
        if (viewer_.playback().started()) {
          const TimeMs deadline = viewer_.playback().deadline(TimeMs{std::int64_t(seq.value) * 1000});
          margins_.push_back(deadline.value - now_);
        }
        EXPECT_TRUE(viewer_.on_http_chunk(body->second.header, body->second.payload, TimeMs{now_}));
      }
      for (auto& item : viewer_.take_playable())
        if (!item.init) played_[item.seq.value] = std::move(item.bytes);
    }
  }

  Engine& engine() { return viewer_; }
  const std::map<std::uint64_t, Body>& origin() const { return origin_; }
  const std::vector<std::pair<ChunkSeq, std::int64_t>>& asked() const { return asked_; }
  const std::vector<std::int64_t>& margins() const { return margins_; }
  const std::map<std::uint64_t, ByteVector>& played() const { return played_; }

 private:
  static constexpr PeerId kPeer{2};

  void say(const wire::Message& m) { viewer_.on_message(kPeer, wire::encode(m), TimeMs{now_}); }

  void publish(std::uint64_t seq) {
    const Body body = chunk_body(seq);
    wire::ChunkHeader header;
    header.signed_header = body.header;
    for (const trust::Digest& d : trust::piece_hashes(body.payload)) header.piece_hashes.push_back(d);
    say(header);
    say(wire::HaveRange{ChunkId{ChunkSeq{seq}}, PieceIndex{0}, static_cast<std::uint16_t>(header.piece_hashes.size())});
    origin_[seq] = body;
  }

  Engine viewer_;
  std::int64_t now_ = 0;
  std::map<std::uint64_t, Body> origin_;
  std::vector<std::pair<ChunkSeq, std::int64_t>> asked_;
  std::vector<std::int64_t> margins_;
  std::map<std::uint64_t, ByteVector> played_;
};

TEST(SwarmHttpFallback, AViewerNoPeerCanServeFetchesEachChunkNearItsDeadlineAndPlaysIt) {
  ChokedViewer swarm(/*origin=*/true);
  swarm.run_until(15'000);
  const Engine& viewer = swarm.engine();
  ASSERT_GE(swarm.played().size(), 10u) << viewer.stats_json(TimeMs{15'000});
  for (const auto& [seq, bytes] : swarm.played()) EXPECT_EQ(bytes, swarm.origin().at(seq).payload) << "chunk " << seq;
  EXPECT_EQ(viewer.stats().chunks_skipped, 0u);
  EXPECT_EQ(viewer.playback().stalled_ms(), 0);
  // Each chunk once, and only close to its deadline: the swarm had every chance first.
  std::map<std::uint64_t, int> times;
  for (const auto& [seq, at] : swarm.asked()) ++times[seq.value];
  for (const auto& [seq, n] : times) EXPECT_EQ(n, 1) << "chunk " << seq;
  ASSERT_FALSE(swarm.margins().empty());
  for (std::int64_t margin : swarm.margins()) {
    EXPECT_LE(margin, std::int64_t{swarm::SchedulerConfig{}.http_fallback_margin_ms});
    EXPECT_GT(margin, 0);
  }
  const auto& s = viewer.stats();
  EXPECT_EQ(s.media_bytes_from_http, s.media_bytes_received);
  EXPECT_EQ(s.media_bytes_received, swarm.played().size() * kChunkBytes);
  const std::string json = viewer.stats_json(TimeMs{15'000});
  EXPECT_NE(json.find("\"share_from_http\":1.0"), std::string::npos) << json;
  EXPECT_NE(json.find("\"share_from_peers\":0.0"), std::string::npos) << json;
}

TEST(SwarmHttpFallback, WithoutAnOriginNothingIsEverAskedOfIt) {
  ChokedViewer swarm(/*origin=*/false);
  swarm.run_until(15'000);
  EXPECT_TRUE(swarm.asked().empty());
  EXPECT_TRUE(swarm.played().empty());
  EXPECT_NE(swarm.engine().stats_json(TimeMs{15'000}).find("\"share_from_http\":0.0"), std::string::npos);
}

TEST(SwarmHttpFallback, AViewerWithNoPeersFindsTheLiveEdgeInTheIndexAndPlaysOnFromTheOrigin) {
  Engine viewer(viewer_config(PeerId{1}, true));
  std::map<std::uint64_t, Body> origin;
  std::map<std::uint64_t, ByteVector> played;
  std::vector<HttpFetchKind> kinds;
  const Body init = init_body();
  for (std::int64_t now = 0; now <= 20'000; now += 50) {
    // The broadcaster has been live for a while: chunk k is at the origin from k + 1 s.
    if (now % 1000 == 0) origin[std::uint64_t(now / 1000 + 9)] = chunk_body(std::uint64_t(now / 1000 + 9));
    viewer.tick(TimeMs{now});
    for (const HttpFetch& fetch : viewer.take_http_fetches()) {
      kinds.push_back(fetch.kind);
      if (fetch.kind == HttpFetchKind::kIndex) {
        std::vector<ChunkSeq> index;
        for (const auto& [seq, body] : origin) index.push_back(ChunkSeq{seq});
        viewer.on_http_index(index, TimeMs{now});
        continue;
      }
      if (fetch.kind == HttpFetchKind::kInit) {
        EXPECT_EQ(fetch.number, 0u);
        EXPECT_TRUE(viewer.on_http_chunk(init.header, init.payload, TimeMs{now}));
        continue;
      }
      if (auto body = origin.find(fetch.number); body != origin.end())
        EXPECT_TRUE(viewer.on_http_chunk(body->second.header, body->second.payload, TimeMs{now}));
    }
    for (auto& item : viewer.take_playable())
      if (!item.init) played[item.seq.value] = std::move(item.bytes);
  }
  ASSERT_GE(kinds.size(), 3u);
  EXPECT_EQ(kinds.front(), HttpFetchKind::kIndex);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), HttpFetchKind::kIndex), 1);
  // From the start, every chunk in order: 2 s to find the origin, 2.5 s of latency.
  ASSERT_GE(played.size(), 13u) << viewer.stats_json(TimeMs{20'000});
  EXPECT_EQ(played.rbegin()->first - played.begin()->first + 1, played.size());
  for (const auto& [seq, bytes] : played) EXPECT_EQ(bytes, origin.at(seq).payload) << "chunk " << seq;
  EXPECT_EQ(viewer.stats().chunks_skipped, 0u);
  ASSERT_TRUE(viewer.playback().startup_ms());
  EXPECT_LT(*viewer.playback().startup_ms(), 6000);
}

TEST(SwarmHttpFallback, AForgedOrTamperedChunkIsRefusedAndChangesNothing) {
  Engine viewer(viewer_config(PeerId{1}, true));
  const Body good = chunk_body(4);

  Body tampered = good;
  tampered.payload[20'000] ^= 1;
  EXPECT_FALSE(viewer.on_http_chunk(tampered.header, tampered.payload, TimeMs{0}));
  Body truncated = good;
  truncated.payload.pop_back();
  EXPECT_FALSE(viewer.on_http_chunk(truncated.header, truncated.payload, TimeMs{0}));
  const Body forged = signed_body(trust::HeaderKind::kChunk, 4, TimeMs{4000}, kChunkBytes, synthetic::keys(99));
  EXPECT_FALSE(viewer.on_http_chunk(forged.header, forged.payload, TimeMs{0}));
  EXPECT_FALSE(viewer.on_http_chunk(good.header, chunk_body(5).payload, TimeMs{0}));
  Body bad_signature = good;
  bad_signature.header.back() ^= 1;
  EXPECT_FALSE(viewer.on_http_chunk(bad_signature.header, bad_signature.payload, TimeMs{0}));
  EXPECT_TRUE(viewer.buffer().chunks().empty());
  EXPECT_EQ(viewer.stats().media_bytes_received, 0u);

  EXPECT_TRUE(viewer.on_http_chunk(good.header, good.payload, TimeMs{0}));
  ASSERT_TRUE(viewer.buffer().complete(ChunkId{ChunkSeq{4}}));
  // Another validly signed version of a chunk already held is not mixed into it.
  const Body other = signed_body(trust::HeaderKind::kChunk, 4, TimeMs{4000}, kChunkBytes + 1);
  EXPECT_FALSE(viewer.on_http_chunk(other.header, other.payload, TimeMs{0}));
  EXPECT_EQ(viewer.buffer().find(ChunkId{ChunkSeq{4}})->data(), good.payload);
  EXPECT_EQ(viewer.stats().media_bytes_from_http, kChunkBytes);
}

TEST(SwarmHttpFallback, AChunkFetchedOverHttpIsServedOnToAPeer) {
  Engine fetcher(viewer_config(PeerId{1}, true));
  Engine neighbour(viewer_config(PeerId{2}, false));
  fetcher.connect(PeerId{2}, TimeMs{0});
  neighbour.connect(PeerId{1}, TimeMs{0});
  const Body init = init_body();
  const Body chunk = chunk_body(0);
  ASSERT_TRUE(fetcher.on_http_chunk(init.header, init.payload, TimeMs{0}));
  ASSERT_TRUE(fetcher.on_http_chunk(chunk.header, chunk.payload, TimeMs{0}));
  for (std::int64_t now = 0; now <= 3000 && !neighbour.buffer().complete(ChunkId{ChunkSeq{0}}); now += 50) {
    fetcher.tick(TimeMs{now});
    neighbour.tick(TimeMs{now});
    for (const auto& m : fetcher.take_outbox()) neighbour.on_message(PeerId{1}, m.bytes, TimeMs{now});
    for (const auto& m : neighbour.take_outbox()) fetcher.on_message(PeerId{2}, m.bytes, TimeMs{now});
  }
  ASSERT_TRUE(neighbour.buffer().complete(ChunkId{ChunkSeq{0}})) << neighbour.stats_json(TimeMs{3000});
  EXPECT_EQ(neighbour.buffer().find(ChunkId{ChunkSeq{0}})->data(), chunk.payload);
  EXPECT_EQ(neighbour.stats().media_bytes_from_http, 0u);
  EXPECT_EQ(fetcher.stats().media_bytes_sent, kChunkBytes);
}

}  // namespace
}  // namespace swarmcast::test
