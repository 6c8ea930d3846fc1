// The buffer manager: headers with hash lists, pieces verified alone, the window.
#include <gtest/gtest.h>

#include "swarm_fixtures.hpp"

namespace swarmcast::test {
namespace {

using swarm::ChunkBuffer;
using swarm::HeaderOutcome;
using swarm::PieceOutcome;

TEST(ChunkBuffer, PiecesVerifyAloneAndCompleteTheChunkInAnyOrder) {
  ChunkBuffer buffer;
  const TestChunk c = test_chunk(5);
  ASSERT_EQ(buffer.add_header(c.header, c.hashes, TimeMs{0}), HeaderOutcome::kAccepted);
  EXPECT_FALSE(buffer.complete(ChunkId{ChunkSeq{5}}));
  for (std::uint32_t i : {3u, 0u, 2u, 1u}) {
    EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{5}}, PieceIndex{i}, c.piece(i)), PieceOutcome::kAccepted);
    EXPECT_TRUE(buffer.has_piece(ChunkId{ChunkSeq{5}}, PieceIndex{i}));
    // Cut-through: a verified piece can be served at once.
    EXPECT_TRUE(std::equal(c.piece(i).begin(), c.piece(i).end(), buffer.piece(ChunkId{ChunkSeq{5}}, PieceIndex{i}).begin()));
  }
  EXPECT_TRUE(buffer.complete(ChunkId{ChunkSeq{5}}));
  EXPECT_EQ(buffer.find(ChunkId{ChunkSeq{5}})->data(), c.payload);
  buffer.check_invariants();
}

TEST(ChunkBuffer, BadPiecesAreRefusedAndNothingOfThemIsKept) {
  ChunkBuffer buffer;
  const TestChunk c = test_chunk(1);
  buffer.add_header(c.header, c.hashes, TimeMs{0});
  ByteVector bent(c.piece(0).begin(), c.piece(0).end());
  bent[100] ^= 1;
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}, bent), PieceOutcome::kBadPiece);
  EXPECT_FALSE(buffer.has_piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}));
  EXPECT_TRUE(buffer.piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}).empty());
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{1}, c.piece(2)), PieceOutcome::kBadPiece);  // right bytes, wrong slot
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{3}, c.piece(3).first(10)), PieceOutcome::kBadPiece);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{9}, c.piece(0)), PieceOutcome::kBadPiece);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{2}}, PieceIndex{0}, c.piece(0)), PieceOutcome::kUnknownChunk);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}, c.piece(0)), PieceOutcome::kAccepted);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}, c.piece(0)), PieceOutcome::kDuplicate);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{1}}, PieceIndex{0}, bent), PieceOutcome::kBadPiece);  // a corrupt copy of a held piece
  buffer.check_invariants();
}

TEST(ChunkBuffer, AHashListThatDoesNotMatchTheSignedRootIsRefused) {
  ChunkBuffer buffer;
  TestChunk c = test_chunk(1);
  auto hashes = c.hashes;
  hashes[1][0] ^= 1;
  EXPECT_EQ(buffer.add_header(c.header, hashes, TimeMs{0}), HeaderOutcome::kBadHashes);
  hashes = c.hashes;
  hashes.pop_back();
  EXPECT_EQ(buffer.add_header(c.header, hashes, TimeMs{0}), HeaderOutcome::kBadHashes);
  EXPECT_EQ(buffer.add_header(c.header, c.hashes, TimeMs{0}), HeaderOutcome::kAccepted);
  EXPECT_EQ(buffer.add_header(c.header, c.hashes, TimeMs{0}), HeaderOutcome::kDuplicate);
}

TEST(ChunkBuffer, TheWindowKeepsTenSecondsBehindTheLiveEdge) {
  ChunkBuffer buffer;
  for (std::uint64_t seq = 0; seq < 30; ++seq) {
    const TestChunk c = test_chunk(seq, 1000);
    ASSERT_EQ(buffer.add_header(c.header, c.hashes, TimeMs{0}), HeaderOutcome::kAccepted);
    buffer.evict(std::nullopt);
  }
  EXPECT_EQ(buffer.live_edge(), ChunkSeq{29});
  EXPECT_EQ(buffer.oldest(), ChunkSeq{19});  // 29 s - 19 s = 10 s
  const TestChunk stale = test_chunk(5, 1000);
  EXPECT_EQ(buffer.add_header(stale.header, stale.hashes, TimeMs{0}), HeaderOutcome::kOutOfWindow);
  buffer.check_invariants();
}

TEST(ChunkBuffer, TheMemoryCapEvictsOldestButNotFromThePlayheadOn) {
  ChunkBuffer buffer(swarm::BufferConfig{10'000, 200'000});
  for (std::uint64_t seq = 0; seq < 6; ++seq) {
    const TestChunk c = test_chunk(seq, 50'000);
    buffer.add_header(c.header, c.hashes, TimeMs{0});
  }
  buffer.evict(ChunkSeq{1});
  EXPECT_EQ(buffer.oldest(), ChunkSeq{1});  // seq 0 went; the playhead's chunk stays
  EXPECT_EQ(buffer.memory_bytes(), 250'000u);
  buffer.evict(ChunkSeq{3});
  EXPECT_EQ(buffer.oldest(), ChunkSeq{2});
  EXPECT_LE(buffer.memory_bytes(), 200'000u);
  const TestChunk huge = test_chunk(7, 300'000);
  EXPECT_EQ(buffer.add_header(huge.header, huge.hashes, TimeMs{0}), HeaderOutcome::kOverMemoryCap);
  buffer.check_invariants();
}

// Chunk `seq` of rendition `rendition` (signed headers are checked before the buffer,
// so a copy of the header under another rendition is as good as one for the test),
// optionally cut `shift_ms` off the moment rendition 0's chunk covers.
trust::ChunkHeader in_rendition(const TestChunk& c, std::uint8_t rendition, std::int64_t shift_ms = 0) {
  trust::ChunkHeader h = c.header;
  h.rendition = RenditionId{rendition};
  h.capture_time = TimeMs{h.capture_time.value + shift_ms};
  return h;
}

const trust::RenditionLadder& two_renditions() {
  static const trust::RenditionLadder ladder{{}, 1, ChunkSeq{0},
                                             {trust::Rendition{RenditionId{0}, 640, 360, 800'000, 30'000, "vp8"},
                                              trust::Rendition{RenditionId{1}, 320, 180, 300'000, 30'000, "vp8"}}};
  return ladder;
}

TEST(ChunkBuffer, RenditionsOfOneSeqAreHeldSideBySide) {
  ChunkBuffer buffer;
  const TestChunk c = test_chunk(4);
  ASSERT_EQ(buffer.add_header(in_rendition(c, 0), c.hashes, TimeMs{0}, &two_renditions()), HeaderOutcome::kAccepted);
  ASSERT_EQ(buffer.add_header(in_rendition(c, 1), c.hashes, TimeMs{0}, &two_renditions()), HeaderOutcome::kAccepted);
  EXPECT_EQ(buffer.add_header(in_rendition(c, 1), c.hashes, TimeMs{0}, &two_renditions()), HeaderOutcome::kDuplicate);
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{4}, RenditionId{1}}, PieceIndex{0}, c.piece(0)), PieceOutcome::kAccepted);
  EXPECT_TRUE(buffer.has_piece(ChunkId{ChunkSeq{4}, RenditionId{1}}, PieceIndex{0}));
  EXPECT_FALSE(buffer.has_piece(ChunkId{ChunkSeq{4}, RenditionId{0}}, PieceIndex{0}));
  EXPECT_EQ(buffer.add_piece(ChunkId{ChunkSeq{4}, RenditionId{2}}, PieceIndex{0}, c.piece(0)), PieceOutcome::kUnknownChunk);
  EXPECT_EQ(buffer.live_edge(), ChunkSeq{4});
  EXPECT_EQ(buffer.chunks().size(), 2u);
  buffer.check_invariants();
}

TEST(ChunkBuffer, AChunkCutAtAnotherMomentThanItsOtherRenditionsIsMisaligned) {
  ChunkBuffer buffer;
  const TestChunk c = test_chunk(4);
  ASSERT_EQ(buffer.add_header(in_rendition(c, 0), c.hashes, TimeMs{0}, &two_renditions()), HeaderOutcome::kAccepted);
  EXPECT_EQ(buffer.add_header(in_rendition(c, 1, 500), c.hashes, TimeMs{0}, &two_renditions()),
            HeaderOutcome::kMisaligned);
  EXPECT_EQ(buffer.find(ChunkId{ChunkSeq{4}, RenditionId{1}}), nullptr);
  EXPECT_EQ(buffer.add_header(in_rendition(c, 1, 40), c.hashes, TimeMs{0}, &two_renditions()), HeaderOutcome::kAccepted);
  buffer.check_invariants();
}

TEST(ChunkBuffer, OverTheMemoryCapRenditionsNotKeptGoFirst) {
  ChunkBuffer buffer(swarm::BufferConfig{10'000, 200'000});
  for (std::uint64_t seq = 0; seq < 3; ++seq) {
    const TestChunk c = test_chunk(seq, 50'000);
    for (std::uint8_t r : {0, 1}) buffer.add_header(in_rendition(c, r), c.hashes, TimeMs{0});
  }
  ASSERT_EQ(buffer.memory_bytes(), 300'000u);
  const RenditionId played{0};
  buffer.evict(ChunkSeq{0}, std::span(&played, 1));
  EXPECT_EQ(buffer.memory_bytes(), 200'000u);
  for (std::uint64_t seq = 0; seq < 3; ++seq)
    EXPECT_NE(buffer.find(ChunkId{ChunkSeq{seq}, RenditionId{0}}), nullptr) << "played, from the playhead on: kept";
  EXPECT_EQ(buffer.find(ChunkId{ChunkSeq{0}, RenditionId{1}}), nullptr);
  EXPECT_EQ(buffer.find(ChunkId{ChunkSeq{1}, RenditionId{1}}), nullptr);
  EXPECT_NE(buffer.find(ChunkId{ChunkSeq{2}, RenditionId{1}}), nullptr) << "the newest of the other rendition: not needed to go";
  buffer.check_invariants();
}

}  // namespace
}  // namespace swarmcast::test
