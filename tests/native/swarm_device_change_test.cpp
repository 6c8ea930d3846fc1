// A device that changes during the session: the viewer's upload policy follows at once
// (Engine::set_device), its peers are told on the wire (DeviceStatus) and stop asking
// it, or ask less; nothing in flight is lost or corrupted. First the messages between
// one viewer and two hand-driven peers, then a small swarm over simulated links.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "swarm/engine.hpp"
#include "swarm/peer_scorer.hpp"
#include "swarm/upload_policy.hpp"
#include "synthetic_stream.hpp"
#include "wire/codec.hpp"

namespace swarmcast::test {
namespace {

using swarm::Engine;
using swarm::PeerId;
using swarm::UploadChoice;

const trust::KeyPair& stream_keys() { return synthetic::keys(47); }

swarm::EngineConfig config(PeerId self, bool broadcaster = false) {
  return synthetic::engine_config(stream_keys(), self, broadcaster);
}

wire::Message decoded(const ByteVector& bytes) { return wire::decode(bytes).value(); }

template <typename T>
std::vector<T> sent_to(const std::vector<swarm::OutgoingMessage>& outbox, PeerId to) {
  std::vector<T> out;
  for (const auto& m : outbox) {
    if (m.to != to) continue;
    const wire::Message message = decoded(m.bytes);
    if (const T* t = std::get_if<T>(&message)) out.push_back(*t);
  }
  return out;
}

wire::Handshake hello_from(PeerId id) {
  wire::Handshake hello;
  hello.stream_key = stream_keys().public_key.bytes;
  hello.peer_id = id;
  hello.role = swarm::Role::kRelay;
  hello.can_upload = true;
  return hello;
}

// One viewer engine (id 2) and two peers we play by hand (5 and 6), linked and past
// their handshakes; each peer can announce chunk 0 and serve its pieces.
class ViewerAndTwoPeers {
 public:
  static constexpr PeerId kViewer{2}, kA{5}, kB{6};

  explicit ViewerAndTwoPeers(std::uint32_t chunk_pieces = 8)
      : viewer_(config(kViewer)), payload_(synthetic::media(0, chunk_pieces * trust::kPieceSize)) {
    header_ = synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, 0, TimeMs{0}, 1000, payload_);
    for (PeerId peer : {kA, kB}) {
      viewer_.connect(peer, now_);
      hear(peer, hello_from(peer));
      hear(peer, wire::Unchoke{});
    }
  }

  void hear(PeerId from, const wire::Message& message) { viewer_.on_message(from, wire::encode(message), now_); }

  void announce_chunk(PeerId from) {
    wire::ChunkHeader header;
    header.signed_header = header_;
    for (const trust::Digest& d : trust::piece_hashes(payload_)) header.piece_hashes.push_back(d);
    hear(from, header);
    hear(from, wire::HaveRange{ChunkId{ChunkSeq{0}}, PieceIndex{0}, static_cast<std::uint16_t>(header.piece_hashes.size())});
  }

  void serve(PeerId from, std::uint32_t piece) {
    viewer_.on_message(from, wire::encode_piece({ChunkId{ChunkSeq{0}}, PieceIndex{piece}, trust::piece_of(payload_, PieceIndex{piece})}), now_);
  }

  // Ticks once, 10 ms on; the pieces it asked of each peer.
  std::map<PeerId, std::set<std::uint32_t>> tick() {
    now_ = TimeMs{now_.value + 10};
    viewer_.tick(now_);
    const auto outbox = viewer_.take_outbox();
    std::map<PeerId, std::set<std::uint32_t>> asked;
    for (PeerId peer : {kA, kB})
      for (const wire::Request& r : sent_to<wire::Request>(outbox, peer))
        for (std::uint16_t i = 0; i < r.piece_count; ++i) asked[peer].insert(r.first_piece.value + i);
    return asked;
  }

  Engine& viewer() { return viewer_; }
  const ByteVector& payload() const { return payload_; }

 private:
  TimeMs now_{1000};
  Engine viewer_;
  ByteVector payload_;
  ByteVector header_;
};

TEST(DeviceChange, EveryPeerIsToldAtOnceAndAViewerThatStopsServingChokesThem) {
  ViewerAndTwoPeers link;
  Engine& viewer = link.viewer();
  viewer.tick(TimeMs{1010});
  const auto first = viewer.take_outbox();
  for (PeerId peer : {ViewerAndTwoPeers::kA, ViewerAndTwoPeers::kB})
    ASSERT_EQ(sent_to<wire::Unchoke>(first, peer).size(), 1u) << "serves both at first";

  viewer.set_device({.metered = true}, TimeMs{1020});
  const auto outbox = viewer.take_outbox();
  ASSERT_EQ(outbox.size(), 4u);
  for (PeerId peer : {ViewerAndTwoPeers::kA, ViewerAndTwoPeers::kB}) {
    const auto status = sent_to<wire::DeviceStatus>(outbox, peer);
    ASSERT_EQ(status.size(), 1u);
    EXPECT_EQ(status[0], (wire::DeviceStatus{.metered = true}));
    EXPECT_EQ(sent_to<wire::Choke>(outbox, peer).size(), 1u);
  }
  EXPECT_FALSE(viewer.upload_allowance().serves);
  // The status comes before the Choke on each link.
  EXPECT_TRUE(std::holds_alternative<wire::DeviceStatus>(decoded(outbox[0].bytes)));

  viewer.set_device({.metered = true}, TimeMs{1030});
  EXPECT_TRUE(viewer.take_outbox().empty()) << "no change, nothing said";

  // Back on Wi-Fi: told again, and serving again from the same moment.
  viewer.set_device({}, TimeMs{1040});
  const auto back = viewer.take_outbox();
  for (PeerId peer : {ViewerAndTwoPeers::kA, ViewerAndTwoPeers::kB}) {
    EXPECT_EQ(sent_to<wire::DeviceStatus>(back, peer), (std::vector{wire::DeviceStatus{.can_upload = true}}));
    EXPECT_EQ(sent_to<wire::Unchoke>(back, peer).size(), 1u);
  }
}

TEST(DeviceChange, AHiddenPageDeclaresItsReducedRateAndKeepsServing) {
  ViewerAndTwoPeers link;
  Engine& viewer = link.viewer();
  viewer.tick(TimeMs{1010});
  viewer.take_outbox();
  viewer.set_device({.hidden = true}, TimeMs{1020});
  const auto status = sent_to<wire::DeviceStatus>(viewer.take_outbox(), ViewerAndTwoPeers::kA);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_TRUE(status[0].can_upload);
  EXPECT_TRUE(status[0].hidden);
  // No chunk yet: a share of the default stream rate the scorer assumes.
  EXPECT_EQ(status[0].upload_budget_bytes_per_s,
            static_cast<std::uint32_t>(swarm::kHiddenUploadShare * swarm::ScoreWeights{}.stream_bytes_per_s));
  EXPECT_TRUE(viewer.upload_allowance().serves);
}

TEST(DeviceChange, ALinkOpenedLaterHearsTheDeviceAsItIsNow) {
  Engine viewer(config(PeerId{2}));
  viewer.set_device({.upload_budget_bytes_per_s = 20'000, .choice = UploadChoice::kCap}, TimeMs{0});
  viewer.connect(PeerId{9}, TimeMs{10});
  const auto hello = sent_to<wire::Handshake>(viewer.take_outbox(), PeerId{9});
  ASSERT_EQ(hello.size(), 1u);
  EXPECT_TRUE(hello[0].can_upload);
  EXPECT_EQ(hello[0].upload_choice, UploadChoice::kCap);
  EXPECT_EQ(hello[0].upload_budget_bytes_per_s, 20'000u);
}

// A peer that says it will no longer serve is asked nothing more; what was asked of it
// is asked of the other peer; a piece it had already sent still arrives and counts.
TEST(DeviceChange, WhatWasAskedOfAPeerThatStopsServingIsAskedElsewhereAndNothingIsLost) {
  ViewerAndTwoPeers link;
  link.announce_chunk(ViewerAndTwoPeers::kA);
  link.announce_chunk(ViewerAndTwoPeers::kB);
  auto asked = link.tick();
  const std::set<std::uint32_t> of_a = asked[ViewerAndTwoPeers::kA];
  ASSERT_GE(of_a.size(), 2u);
  for (std::uint32_t piece : asked[ViewerAndTwoPeers::kB]) link.serve(ViewerAndTwoPeers::kB, piece);

  link.hear(ViewerAndTwoPeers::kA, wire::DeviceStatus{.metered = true});
  // Already on the wire before its status: one of the pieces asked of it arrives.
  const std::uint32_t already_sent = *of_a.begin();
  link.serve(ViewerAndTwoPeers::kA, already_sent);

  std::set<std::uint32_t> reasked;
  for (int round = 0; round < 50 && !link.viewer().buffer().find(ChunkId{ChunkSeq{0}})->complete(); ++round) {
    asked = link.tick();
    EXPECT_TRUE(asked[ViewerAndTwoPeers::kA].empty()) << "asked a peer that stopped serving, round " << round;
    for (std::uint32_t piece : asked[ViewerAndTwoPeers::kB]) {
      if (of_a.count(piece)) reasked.insert(piece);
      link.serve(ViewerAndTwoPeers::kB, piece);
    }
  }
  const swarm::ChunkEntry* chunk = link.viewer().buffer().find(ChunkId{ChunkSeq{0}});
  ASSERT_TRUE(chunk->complete());
  EXPECT_EQ(chunk->data(), link.payload());
  std::set<std::uint32_t> expected = of_a;
  expected.erase(already_sent);
  EXPECT_EQ(reasked, expected) << "every other piece asked of it was asked of the other peer";
  EXPECT_EQ(link.viewer().stats().bad_pieces, 0u);
}

// A peer that declares a reduced rate is asked after one that declares none: of a
// two-piece chunk, the other is asked both.
TEST(DeviceChange, APeerDeclaringAReducedRateIsAskedLess) {
  const auto first_requests = [](bool a_hidden) {
    ViewerAndTwoPeers link(2);
    if (a_hidden)
      link.hear(ViewerAndTwoPeers::kA,
                wire::DeviceStatus{.can_upload = true, .hidden = true, .upload_budget_bytes_per_s = 20'000});
    link.announce_chunk(ViewerAndTwoPeers::kA);
    link.announce_chunk(ViewerAndTwoPeers::kB);
    auto asked = link.tick();
    return std::pair{asked[ViewerAndTwoPeers::kA].size(), asked[ViewerAndTwoPeers::kB].size()};
  };
  const auto [a_visible, b_with_visible_a] = first_requests(false);
  ASSERT_GT(a_visible, 0u) << "without its declaration A is asked too";
  ASSERT_EQ(a_visible + b_with_visible_a, 2u);
  const auto [a_hidden, b_with_hidden_a] = first_requests(true);
  EXPECT_EQ(a_hidden, 0u);
  EXPECT_EQ(b_with_hidden_a, 2u);
}

}  // namespace
}  // namespace swarmcast::test
