// The verifier seam: a memoizing verifier answers exactly as the direct checks do,
// and lets buffers that hold the same piece share one copy.
#include <gtest/gtest.h>

#include "swarm/verifier.hpp"
#include "swarm_fixtures.hpp"

namespace swarmcast::test {
namespace {

using swarm::MemoizingVerifier;
using swarm::PieceBytes;
using swarm::Verifier;

trust::KeyPair stream_keys(Byte fill) {
  trust::Seed seed;
  seed.bytes.fill(fill);
  return trust::keypair_from_seed(seed);
}

TEST(MemoizingVerifier, AnswersPiecesAsTheDirectCheckDoesAndKeepsOneCopy) {
  Verifier direct;
  MemoizingVerifier memo;
  const TestChunk c = test_chunk(1);
  ByteVector bent(c.piece(0).begin(), c.piece(0).end());
  bent[7] ^= 0x40;
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(direct.piece(c.hashes[0], bent), nullptr);
    EXPECT_EQ(memo.piece(c.hashes[0], bent), nullptr);
    EXPECT_EQ(memo.piece(c.hashes[1], c.piece(0)), nullptr);  // right bytes, wrong slot
    EXPECT_EQ(memo.piece(c.hashes[0], c.piece(0).first(100)), nullptr);
  }
  const PieceBytes first = memo.piece(c.hashes[0], c.piece(0));
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(std::equal(first->begin(), first->end(), c.piece(0).begin(), c.piece(0).end()));
  const ByteVector copy(c.piece(0).begin(), c.piece(0).end());
  EXPECT_EQ(memo.piece(c.hashes[0], copy), first);  // equal bytes: the same stored piece
  EXPECT_EQ(memo.piece(c.hashes[0], bent), nullptr);  // still refused once a good copy is known
}

// Threads that share one memo compare and hash between stored() and store(): two that
// both missed a piece and checked it must still end up holding one copy.
TEST(MemoizingVerifier, APieceStoredByTwoCallersIsKeptOnce) {
  Verifier direct;
  MemoizingVerifier memo;
  const TestChunk c = test_chunk(4);
  EXPECT_EQ(memo.stored(c.hashes[0]), nullptr);
  const PieceBytes first = memo.store(c.hashes[0], direct.piece(c.hashes[0], c.piece(0)));
  const PieceBytes second = direct.piece(c.hashes[0], c.piece(0));
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(memo.store(c.hashes[0], second), first);
  EXPECT_EQ(memo.stored(c.hashes[0]), first);
}

TEST(MemoizingVerifier, ForgetsPiecesNoOneHolds) {
  MemoizingVerifier memo;
  for (std::uint64_t seq = 0; seq < 110; ++seq) {
    const TestChunk c = test_chunk(seq, 16 * 1024 * 20);
    for (std::uint32_t i = 0; i < c.hashes.size(); ++i) ASSERT_NE(memo.piece(c.hashes[i], c.piece(i)), nullptr);
  }
  EXPECT_LT(memo.pieces_remembered(), 2048u);  // 2,200 verified, none held
  const TestChunk c = test_chunk(3, 16 * 1024 * 20);
  EXPECT_NE(memo.piece(c.hashes[2], c.piece(2)), nullptr);  // forgotten, then checked afresh
}

TEST(MemoizingVerifier, AnswersHashListsAsTheDirectCheckDoes) {
  MemoizingVerifier memo;
  const TestChunk c = test_chunk(2);
  auto bent = c.hashes;
  bent[1][0] ^= 1;
  EXPECT_TRUE(memo.hash_list(c.hashes, c.header.merkle_root));
  EXPECT_TRUE(memo.hash_list(c.hashes, c.header.merkle_root));
  EXPECT_FALSE(memo.hash_list(bent, c.header.merkle_root));
  EXPECT_FALSE(memo.hash_list(std::span(c.hashes).first(c.hashes.size() - 1), c.header.merkle_root));
}

TEST(MemoizingVerifier, AnswersSignedHeadersAsTheDirectCheckDoes) {
  MemoizingVerifier memo;
  const trust::KeyPair keys = stream_keys(9);
  const TestChunk c = test_chunk(4);
  trust::ChunkHeader header = c.header;
  header.stream = keys.public_key;
  const ByteVector good = trust::encode(trust::sign_header(header, keys.secret_key));
  ByteVector forged = good;
  forged.back() ^= 1;
  for (int round = 0; round < 2; ++round) {
    auto verified = memo.signed_header(good, keys.public_key);
    ASSERT_TRUE(verified);
    EXPECT_EQ(verified.value().seq, ChunkSeq{4});
    EXPECT_EQ(memo.signed_header(forged, keys.public_key).error(), trust::TrustError::kBadSignature);
    EXPECT_EQ(memo.signed_header(good, stream_keys(8).public_key).error(), trust::TrustError::kWrongStream);
  }
}

TEST(MemoizingVerifier, BuffersSharingItHoldOneCopyOfEachPiece) {
  auto memo = std::make_shared<MemoizingVerifier>();
  swarm::ChunkBuffer a({}, memo), b({}, memo);
  const TestChunk c = test_chunk(6);
  for (swarm::ChunkBuffer* buffer : {&a, &b}) {
    ASSERT_EQ(buffer->add_header(c.header, c.hashes, TimeMs{0}), swarm::HeaderOutcome::kAccepted);
    for (std::uint32_t i = 0; i < c.hashes.size(); ++i)
      ASSERT_EQ(buffer->add_piece(ChunkId{ChunkSeq{6}}, PieceIndex{i}, c.piece(i)), swarm::PieceOutcome::kAccepted);
  }
  EXPECT_EQ(a.piece(ChunkId{ChunkSeq{6}}, PieceIndex{1}).data(), b.piece(ChunkId{ChunkSeq{6}}, PieceIndex{1}).data());
  EXPECT_EQ(a.find(ChunkId{ChunkSeq{6}})->data(), c.payload);
  a.check_invariants();
}

}  // namespace
}  // namespace swarmcast::test
