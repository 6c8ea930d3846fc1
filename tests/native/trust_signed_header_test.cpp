// Signed chunk headers, and pieces verified alone against them.
#include <gtest/gtest.h>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::TrustError;

class SignedChunk : public ::testing::Test {
 protected:
  trust::KeyPair keys = stream_key();
  ByteVector payload = chunk_of(100'000);
  trust::ChunkHeader header = header_for(keys, payload);
  ByteVector wire = trust::encode(trust::sign_header(header, keys.secret_key));
  std::vector<trust::Digest> piece_leaves = trust::piece_hashes(payload);

  ByteView piece(std::uint32_t i) const { return trust::piece_of(payload, PieceIndex{i}); }
  std::vector<trust::Digest> proof(std::uint32_t i) const { return trust::merkle_proof(piece_leaves, PieceIndex{i}); }
};

TEST_F(SignedChunk, EncodesTo162BytesAndVerifiesBack) {
  ASSERT_EQ(wire.size(), trust::kSignedHeaderSize);
  EXPECT_EQ(wire.size(), 162u);
  const auto verified = trust::verify_signed_header(wire, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  const trust::ChunkHeader& h = verified.value();
  EXPECT_EQ(h.kind, trust::HeaderKind::kChunk);
  EXPECT_EQ(h.epoch, Epoch{3});
  EXPECT_EQ(h.seq, ChunkSeq{42});
  EXPECT_EQ(h.capture_time, TimeMs{1'700'000'000'123});
  EXPECT_EQ(h.duration_ms, 1000u);
  EXPECT_EQ(h.byte_length, 100'000u);
  EXPECT_EQ(h.merkle_root, trust::merkle_root(piece_leaves));
}

TEST_F(SignedChunk, LayoutIsBigEndianAtTheDocumentedOffsets) {
  EXPECT_EQ(wire[0], 1);                                             // version
  EXPECT_EQ(wire[1], 2);                                             // kind: chunk
  EXPECT_TRUE(std::equal(keys.public_key.bytes.begin(), keys.public_key.bytes.end(), wire.begin() + 2));
  EXPECT_EQ(ByteVector(wire.begin() + 34, wire.begin() + 38), hex("00000003"));          // epoch
  EXPECT_EQ(ByteVector(wire.begin() + 38, wire.begin() + 46), hex("000000000000002a"));  // seq
  EXPECT_EQ(ByteVector(wire.begin() + 58, wire.begin() + 62), hex("000186a0"));          // 100000 bytes
  EXPECT_EQ(ByteVector(wire.begin() + 62, wire.begin() + 66), hex("00004000"));          // piece size
}

TEST_F(SignedChunk, EverySingleByteChangeIsRejected) {
  for (std::size_t i = 0; i < wire.size(); ++i) {
    for (Byte flip : {Byte{0x01}, Byte{0x80}}) {
      ByteVector bent = wire;
      bent[i] ^= flip;
      EXPECT_FALSE(trust::verify_signed_header(bent, keys.public_key).ok()) << "byte " << i;
    }
  }
}

TEST_F(SignedChunk, WrongSizesVersionsAndKindsAreNamed) {
  EXPECT_EQ(trust::verify_signed_header(ByteView(wire).first(161), keys.public_key).error(), TrustError::kMalformedHeader);
  ByteVector longer = wire;
  longer.push_back(0);
  EXPECT_EQ(trust::verify_signed_header(longer, keys.public_key).error(), TrustError::kMalformedHeader);
  EXPECT_EQ(trust::verify_signed_header({}, keys.public_key).error(), TrustError::kMalformedHeader);
  ByteVector v2 = wire;
  v2[0] = 2;
  EXPECT_EQ(trust::decode_signed_header(v2).error(), TrustError::kUnsupportedVersion);
  ByteVector kind = wire;
  kind[1] = 9;
  EXPECT_EQ(trust::decode_signed_header(kind).error(), TrustError::kUnknownKind);
  EXPECT_EQ(trust::verify_signed_header(wire, stream_key(8).public_key).error(), TrustError::kWrongStream);
  ByteVector bad_signature = wire;
  bad_signature[100] ^= 1;
  EXPECT_EQ(trust::verify_signed_header(bad_signature, keys.public_key).error(), TrustError::kBadSignature);
}

TEST_F(SignedChunk, EveryPieceVerifiesAloneWithItsProof) {
  ASSERT_EQ(trust::piece_count(payload.size()), 7u);
  for (std::uint32_t i = 0; i < 7; ++i) EXPECT_TRUE(trust::verify_piece(header, PieceIndex{i}, piece(i), proof(i)).ok()) << i;
}

TEST_F(SignedChunk, AnyChangedByteInAPieceIsABadProof) {
  for (std::uint32_t i = 0; i < 7; ++i) {
    for (std::size_t offset : {std::size_t{0}, piece(i).size() / 2, piece(i).size() - 1}) {
      ByteVector bent(piece(i).begin(), piece(i).end());
      bent[offset] ^= 0x20;
      EXPECT_EQ(trust::verify_piece(header, PieceIndex{i}, bent, proof(i)).error(), TrustError::kBadProof);
    }
  }
  // A genuine piece presented under another index is refused too.
  EXPECT_EQ(trust::verify_piece(header, PieceIndex{1}, piece(2), proof(1)).error(), TrustError::kBadProof);
}

TEST_F(SignedChunk, WrongLengthsAndIndicesAreNamed) {
  EXPECT_EQ(trust::verify_piece(header, PieceIndex{7}, piece(6), proof(6)).error(), TrustError::kPieceOutOfRange);
  EXPECT_EQ(trust::verify_piece(header, PieceIndex{0}, piece(0).first(100), proof(0)).error(), TrustError::kBadPieceLength);
  EXPECT_EQ(trust::verify_piece(header, PieceIndex{6}, piece(5), proof(6)).error(), TrustError::kBadPieceLength);
}

TEST_F(SignedChunk, WholePayloadChecksAgainstTheRoot) {
  EXPECT_TRUE(trust::verify_payload(header, payload).ok());
  ByteVector bent = payload;
  bent[77'777] ^= 1;
  EXPECT_EQ(trust::verify_payload(header, bent).error(), TrustError::kBadProof);
  EXPECT_FALSE(trust::verify_payload(header, ByteView(payload).first(99'999)).ok());
}

TEST(SignedInit, InitSegmentsAreSignedWithTheirOwnKind) {
  const trust::KeyPair keys = stream_key();
  const ByteVector init = chunk_of(208);
  const auto h = trust::describe(trust::HeaderKind::kInit, keys.public_key, Epoch{1}, ChunkSeq{0}, TimeMs{5}, 0, init);
  const ByteVector wire = trust::encode(trust::sign_header(h.value(), keys.secret_key));
  const auto verified = trust::verify_signed_header(wire, keys.public_key);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified.value().kind, trust::HeaderKind::kInit);
  EXPECT_TRUE(trust::verify_payload(verified.value(), init).ok());
}

TEST(SignedInit, NothingOrTooMuchCannotBeDescribed) {
  const trust::KeyPair keys = stream_key();
  EXPECT_EQ(trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{0}, ChunkSeq{0}, TimeMs{0}, 0, {}).error(),
            TrustError::kEmptyChunk);
}

}  // namespace
}  // namespace swarmcast::test
