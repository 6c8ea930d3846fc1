// The signed rendition list in the engine: published, passed on, newest revision kept,
// and every chunk header judged against it. A viewer engine and hand-driven peers.
#include <gtest/gtest.h>

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
constexpr PeerId kRelay{3};
constexpr PeerId kLateJoiner{4};

const trust::KeyPair& stream_keys() { return synthetic::keys(41); }

trust::RenditionLadder ladder(std::uint32_t revision, std::uint64_t first_seq = 0) {
  return trust::RenditionLadder{stream_keys().public_key, revision, ChunkSeq{first_seq},
                                {trust::Rendition{RenditionId{0}, 640, 360, 800'000, 30'000, "vp8,opus"},
                                 trust::Rendition{RenditionId{1}, 320, 180, 300'000, 30'000, "vp8,opus"}}};
}

ByteVector signed_ladder(const trust::RenditionLadder& l, const trust::KeyPair& keys = stream_keys()) {
  return trust::sign_ladder(l, keys.secret_key).value();
}

class RenditionListInTheEngine : public ::testing::Test {
 protected:
  Engine viewer{synthetic::engine_config(stream_keys(), kViewer, false)};
  TimeMs now{1000};

  void SetUp() override {
    for (PeerId peer : {kBroadcaster, kRelay}) link(peer, peer == kBroadcaster ? swarm::Role::kBroadcaster : swarm::Role::kRelay);
  }

  void link(PeerId peer, swarm::Role role) {
    viewer.connect(peer, now);
    wire::Handshake hello;
    hello.stream_key = stream_keys().public_key.bytes;
    hello.peer_id = peer;
    hello.role = role;
    viewer.on_message(peer, wire::encode(hello), now);
  }

  void from(PeerId peer, const wire::Message& m) { viewer.on_message(peer, wire::encode(m), now); }

  static ByteVector payload_of(std::uint64_t seq, std::uint8_t rendition) {
    return synthetic::media(seq * 10 + rendition, 20'000);
  }

  // Chunk seq of a rendition, captured over [seq s, seq+1 s), or `shift_ms` later.
  wire::ChunkHeader header(std::uint64_t seq, std::uint8_t rendition, std::int64_t shift_ms = 0) const {
    const ByteVector payload = payload_of(seq, rendition);
    wire::ChunkHeader out;
    out.signed_header = synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, seq,
                                                 TimeMs{std::int64_t(seq) * 1000 + shift_ms}, 1000, payload, true,
                                                 RenditionId{rendition});
    for (const trust::Digest& d : trust::piece_hashes(payload)) out.piece_hashes.push_back(d);
    return out;
  }

  bool banned(PeerId peer) const { return viewer.banned().count(peer) > 0; }

  // The messages of type M the viewer sent to `peer` since the last call.
  template <typename M>
  std::vector<M> sent_to(PeerId peer) {
    std::vector<M> out;
    for (const auto& m : viewer.take_outbox()) {
      if (m.to != peer) continue;
      auto decoded = wire::decode(m.bytes);
      if (decoded && std::holds_alternative<M>(decoded.value())) out.push_back(std::get<M>(decoded.value()));
    }
    return out;
  }

  // The RenditionLists the viewer sent to `peer` since the last call.
  std::vector<ByteVector> lists_sent_to(PeerId peer) {
    std::vector<ByteVector> out;
    for (const auto& m : viewer.take_outbox()) {
      if (m.to != peer) continue;
      auto decoded = wire::decode(m.bytes);
      if (decoded && std::holds_alternative<wire::RenditionList>(decoded.value()))
        out.push_back(std::get<wire::RenditionList>(decoded.value()).signed_ladder);
    }
    return out;
  }
};

TEST_F(RenditionListInTheEngine, AVerifiedListIsKeptPassedOnAndGivenToNewPeers) {
  const ByteVector list = signed_ladder(ladder(1));
  viewer.take_outbox();
  from(kBroadcaster, wire::RenditionList{list});
  ASSERT_NE(viewer.ladder(), nullptr);
  EXPECT_EQ(*viewer.ladder(), ladder(1));
  EXPECT_EQ(lists_sent_to(kRelay), std::vector<ByteVector>{list}) << "passed on";
  link(kLateJoiner, swarm::Role::kLeaf);
  EXPECT_EQ(lists_sent_to(kLateJoiner), std::vector<ByteVector>{list}) << "given after the handshake";
  // The same list again, or an older one, is neither kept nor passed on, nor an offence.
  from(kRelay, wire::RenditionList{list});
  from(kRelay, wire::RenditionList{signed_ladder(ladder(0))});
  EXPECT_EQ(viewer.ladder()->revision, 1u);
  EXPECT_TRUE(lists_sent_to(kBroadcaster).empty());
  EXPECT_FALSE(banned(kRelay));
  // A newer one replaces it.
  from(kRelay, wire::RenditionList{signed_ladder(ladder(2))});
  EXPECT_EQ(viewer.ladder()->revision, 2u);
}

TEST_F(RenditionListInTheEngine, AListNotSignedByTheStreamKeyBansItsSender) {
  from(kRelay, wire::RenditionList{signed_ladder(ladder(1), synthetic::keys(42))});
  EXPECT_TRUE(banned(kRelay));
  EXPECT_EQ(viewer.ladder(), nullptr);
  ByteVector malformed = signed_ladder(ladder(1));
  malformed[45] = 0;  // no renditions
  from(kBroadcaster, wire::RenditionList{malformed});
  EXPECT_TRUE(banned(kBroadcaster));
}

TEST_F(RenditionListInTheEngine, AHeaderNamingARenditionTheListLacksIsAForgedHeader) {
  from(kBroadcaster, wire::RenditionList{signed_ladder(ladder(1, 5))});
  from(kRelay, header(5, 3));
  EXPECT_TRUE(banned(kRelay));
  EXPECT_EQ(viewer.buffer().find(ChunkId{ChunkSeq{5}}), nullptr);
}

TEST_F(RenditionListInTheEngine, EveryListedRenditionIsKeptAndNoneBlamed) {
  from(kBroadcaster, wire::RenditionList{signed_ladder(ladder(1, 5))});
  from(kRelay, header(5, 0));
  EXPECT_NE(viewer.buffer().find(ChunkId{ChunkSeq{5}, RenditionId{0}}), nullptr) << "the top rendition, played";
  from(kRelay, header(6, 1));
  EXPECT_NE(viewer.buffer().find(ChunkId{ChunkSeq{6}, RenditionId{1}}), nullptr) << "listed, not played: kept to relay";
  from(kRelay, header(4, 3));
  EXPECT_EQ(viewer.buffer().find(ChunkId{ChunkSeq{4}, RenditionId{3}}), nullptr) << "cut before the list: not judged by it";
  EXPECT_FALSE(banned(kRelay));
}

TEST_F(RenditionListInTheEngine, AChunkCutAtAnotherMomentThanItsOtherRenditionIsAForgedHeader) {
  from(kBroadcaster, wire::RenditionList{signed_ladder(ladder(1, 5))});
  from(kBroadcaster, header(5, 0));
  from(kRelay, header(5, 1, 40));  // within two frames: the same moment
  EXPECT_FALSE(banned(kRelay));
  from(kRelay, header(6, 0));
  from(kRelay, header(6, 1, 400));  // 400 ms off: another moment
  EXPECT_TRUE(banned(kRelay));
  EXPECT_EQ(viewer.buffer().find(ChunkId{ChunkSeq{6}, RenditionId{1}}), nullptr);
}

// A viewer that plays one rendition serves what it holds of another to a peer that
// plays that one, and tells every peer of it: the swarm stays one across renditions.
TEST_F(RenditionListInTheEngine, PeersOnDifferentRenditionsServeEachOtherWhatTheyHold) {
  from(kBroadcaster, wire::RenditionList{signed_ladder(ladder(1, 5))});
  link(kLateJoiner, swarm::Role::kRelay);
  from(kLateJoiner, wire::Playing{RenditionId{1}});
  viewer.tick(now);  // chooses whom to serve: every neighbour
  viewer.take_outbox();
  const ChunkId low{ChunkSeq{5}, RenditionId{1}};
  const ByteVector payload = payload_of(5, 1);
  from(kRelay, header(5, 1));
  for (std::uint32_t p = 0; p < trust::piece_count(payload.size()); ++p) {
    const ByteView piece = trust::piece_of(payload, PieceIndex{p});
    from(kRelay, wire::Piece{low, PieceIndex{p}, ByteVector(piece.begin(), piece.end())});
  }
  ASSERT_TRUE(viewer.buffer().complete(low));
  viewer.tick(now);
  const auto adverts = sent_to<wire::HaveRange>(kLateJoiner);
  ASSERT_EQ(adverts.size(), 1u);
  EXPECT_EQ(adverts[0].id, low);
  EXPECT_EQ(adverts[0].piece_count, 2u);
  from(kLateJoiner, wire::Request{low, PieceIndex{0}, 2});
  from(kLateJoiner, wire::Request{ChunkId{ChunkSeq{5}, RenditionId{4}}, PieceIndex{0}, 1});  // unlisted: refused
  viewer.tick(now);
  const auto pieces = sent_to<wire::Piece>(kLateJoiner);
  ASSERT_EQ(pieces.size(), 2u);
  for (std::uint32_t p = 0; p < 2; ++p) {
    EXPECT_EQ(pieces[p].id, low);
    EXPECT_EQ(pieces[p].index, PieceIndex{p});
  }
  EXPECT_FALSE(banned(kLateJoiner));
}

TEST_F(RenditionListInTheEngine, BeforeAnyListOnlyRenditionZeroIsKeptAndNoneIsBlamed) {
  from(kRelay, header(5, 1));
  from(kRelay, header(6, 0));
  EXPECT_EQ(viewer.buffer().find(ChunkId{ChunkSeq{5}}), nullptr);
  EXPECT_NE(viewer.buffer().find(ChunkId{ChunkSeq{6}}), nullptr);
  EXPECT_FALSE(banned(kRelay));
}

TEST(RenditionListPublishing, TheBroadcasterPublishesOnlyVerifiedNewerLists) {
  Engine broadcaster(synthetic::engine_config(stream_keys(), kBroadcaster, true));
  EXPECT_FALSE(broadcaster.publish_ladder(signed_ladder(ladder(1), synthetic::keys(42)), TimeMs{0}));
  EXPECT_TRUE(broadcaster.publish_ladder(signed_ladder(ladder(1)), TimeMs{0}));
  EXPECT_FALSE(broadcaster.publish_ladder(signed_ladder(ladder(1)), TimeMs{0}));
  EXPECT_TRUE(broadcaster.publish_ladder(signed_ladder(ladder(2)), TimeMs{0}));
  // Its own chunks are held to it too.
  const ByteVector payload = synthetic::media(1, 1000);
  EXPECT_FALSE(broadcaster.publish_chunk(synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, 1, TimeMs{0},
                                                                  1000, payload, true, RenditionId{5}),
                                         payload, TimeMs{0}));
  EXPECT_TRUE(broadcaster.publish_chunk(
      synthetic::signed_header(stream_keys(), trust::HeaderKind::kChunk, 1, TimeMs{0}, 1000, payload), payload, TimeMs{0}));
}

}  // namespace
}  // namespace swarmcast::test
