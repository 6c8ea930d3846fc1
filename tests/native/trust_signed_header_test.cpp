// Signed chunk headers, and pieces verified alone against them.
#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::TrustError;

// Re-signs raw header bytes as the broadcaster would, to build headers that are
// correctly signed but carry values describe() never produces.
ByteVector resigned(ByteVector wire, const trust::KeyPair& keys) {
  const trust::Signature signature =
      trust::sign_detached(keys.secret_key, concat({text("swarmcast/header/v2"), ByteView(wire).first(100)}));
  std::copy(signature.begin(), signature.end(), wire.begin() + 100);
  return wire;
}

class SignedChunk : public ::testing::Test {
 protected:
  trust::KeyPair keys = stream_key();
  ByteVector payload = chunk_of(100'000);
  trust::ChunkHeader header = header_for(keys, payload);
  ByteVector wire = trust::encode(trust::sign_header(header, keys.secret_key));
  std::vector<trust::Digest> piece_leaves = trust::piece_hashes(payload);

  ByteView piece(std::uint32_t i) const { return trust::piece_of(payload, PieceIndex{i}); }
  std::vector<trust::Digest> proof(std::uint32_t i) const { return trust::merkle_proof(piece_leaves, PieceIndex{i}); }
  // What verification refuses, or nothing when it accepts.
  std::optional<TrustError> piece_error(std::uint32_t i, ByteView bytes, const std::vector<trust::Digest>& path) const {
    const auto checked = trust::verify_piece(header, PieceIndex{i}, bytes, path);
    return checked.ok() ? std::nullopt : std::optional(checked.error());
  }
  std::optional<TrustError> header_error(ByteView bytes) const {
    const auto checked = trust::verify_signed_header(bytes, keys.public_key);
    return checked.ok() ? std::nullopt : std::optional(checked.error());
  }
};

TEST_F(SignedChunk, EncodesTo164BytesAndVerifiesBack) {
  ASSERT_EQ(wire.size(), trust::kSignedHeaderSize);
  EXPECT_EQ(wire.size(), 164u);
  const auto verified = trust::verify_signed_header(wire, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  const trust::ChunkHeader& h = verified.value();
  EXPECT_EQ(h.kind, trust::HeaderKind::kChunk);
  EXPECT_EQ(h.rendition, RenditionId{0});
  EXPECT_EQ(h.stream, keys.public_key);
  EXPECT_EQ(h.epoch, Epoch{3});
  EXPECT_EQ(h.seq, ChunkSeq{42});
  EXPECT_EQ(h.capture_time, TimeMs{1'700'000'000'123});
  EXPECT_EQ(h.duration_ms, 1000u);
  EXPECT_EQ(h.byte_length, 100'000u);
  EXPECT_EQ(h.merkle_root, trust::merkle_root(piece_leaves));
}

TEST_F(SignedChunk, DecodesAndReencodesToTheSameBytes) {
  const auto decoded = trust::decode_signed_header(wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(trust::encode(decoded.value()), wire);
  EXPECT_EQ(decoded.value().signature, trust::sign_header(header, keys.secret_key).signature);
}

TEST_F(SignedChunk, LayoutIsBigEndianAtTheDocumentedOffsets) {
  const auto field = [&](std::size_t offset, std::size_t size) { return trust::to_hex(ByteView(wire).subspan(offset, size)); };
  EXPECT_EQ(field(0, 1), "02");                                     // version
  EXPECT_EQ(field(1, 1), "02");                                     // kind: chunk
  EXPECT_EQ(field(2, 1), "00");                                     // flags: starts at a keyframe
  EXPECT_EQ(field(3, 1), "00");                                     // rendition 0
  EXPECT_EQ(field(4, 32), trust::to_hex(keys.public_key.bytes));    // stream
  EXPECT_EQ(field(36, 4), "00000003");                              // epoch
  EXPECT_EQ(field(40, 8), "000000000000002a");                      // seq 42
  EXPECT_EQ(field(48, 8), "0000018bcfe5687b");                      // 1700000000123 ms
  EXPECT_EQ(field(56, 4), "000003e8");                              // 1000 ms
  EXPECT_EQ(field(60, 4), "000186a0");                              // 100000 bytes
  EXPECT_EQ(field(64, 4), "00004000");                              // piece size
  EXPECT_EQ(field(68, 32), trust::to_hex(header.merkle_root));      // root
  // The signature covers the domain string, then bytes 0..99.
  trust::Signature signature;
  std::copy(wire.begin() + 100, wire.end(), signature.begin());
  EXPECT_TRUE(trust::verify_detached(keys.public_key, concat({text("swarmcast/header/v2"), ByteView(wire).first(100)}),
                                     signature));
  EXPECT_FALSE(trust::verify_detached(keys.public_key, ByteView(wire).first(100), signature));
}

TEST_F(SignedChunk, ExtremeFieldValuesRoundTrip) {
  trust::ChunkHeader h = header;
  h.kind = trust::HeaderKind::kInit;
  h.epoch = Epoch{std::numeric_limits<std::uint32_t>::max()};
  h.seq = ChunkSeq{std::numeric_limits<std::uint64_t>::max()};
  h.capture_time = TimeMs{-1};
  h.duration_ms = std::numeric_limits<std::uint32_t>::max();
  h.byte_length = trust::kMaxChunkBytes;
  h.rendition = RenditionId{trust::kMaxRenditions - 1};
  const ByteVector bytes = trust::encode(trust::sign_header(h, keys.secret_key));
  EXPECT_EQ(trust::to_hex(ByteView(bytes).subspan(48, 8)), "ffffffffffffffff");
  const auto verified = trust::verify_signed_header(bytes, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  EXPECT_EQ(verified.value().kind, trust::HeaderKind::kInit);
  EXPECT_EQ(verified.value().epoch, h.epoch);
  EXPECT_EQ(verified.value().seq, h.seq);
  EXPECT_EQ(verified.value().capture_time, TimeMs{-1});
  EXPECT_EQ(verified.value().duration_ms, h.duration_ms);
  EXPECT_EQ(verified.value().byte_length, trust::kMaxChunkBytes);
  EXPECT_EQ(verified.value().rendition, RenditionId{7});
}

TEST_F(SignedChunk, EverySingleByteChangeIsRejected) {
  for (std::size_t i = 0; i < wire.size(); ++i) {
    for (Byte flip : {Byte{0x01}, Byte{0x80}, Byte{0xFF}}) {
      ByteVector bent = wire;
      bent[i] ^= flip;
      EXPECT_FALSE(trust::verify_signed_header(bent, keys.public_key).ok()) << "byte " << i << " ^ " << int{flip};
    }
  }
}

TEST_F(SignedChunk, TruncatedAndExtendedHeadersAreMalformed) {
  for (std::size_t n = 0; n < wire.size(); ++n)
    EXPECT_EQ(header_error(ByteView(wire).first(n)), TrustError::kMalformedHeader) << n;
  for (std::size_t extra : {1u, 64u, 164u}) {
    ByteVector longer = wire;
    longer.resize(wire.size() + extra);
    EXPECT_EQ(header_error(longer), TrustError::kMalformedHeader) << extra;
  }
}

TEST_F(SignedChunk, UnknownVersionsAndKindsAreNamedEvenWhenSigned) {
  // Version 1 (162 bytes, no rendition) included: a size that happens to match is no excuse.
  for (Byte version : {Byte{0}, Byte{1}, Byte{3}, Byte{0xFF}}) {
    ByteVector bytes = wire;
    bytes[0] = version;
    EXPECT_EQ(header_error(resigned(bytes, keys)), TrustError::kUnsupportedVersion);
  }
  // Version 1's kind 3 (a chunk starting within a group of pictures) is a flag now.
  for (Byte kind : {Byte{0}, Byte{3}, Byte{4}, Byte{0x82}, Byte{0xFF}}) {
    ByteVector bytes = wire;
    bytes[1] = kind;
    EXPECT_EQ(header_error(resigned(bytes, keys)), TrustError::kUnknownKind);
  }
}

// Reserved flag bits (bit 1 is kept for progressive chunks) are refused until a
// version of this code knows them, even when correctly signed; so is a chunk's flag
// on an init header.
TEST_F(SignedChunk, ReservedFlagsAreRefusedEvenWhenSigned) {
  for (Byte flags : {Byte{0x02}, Byte{0x03}, Byte{0x80}, Byte{0xFF}}) {
    ByteVector bytes = wire;
    bytes[2] = flags;
    EXPECT_EQ(header_error(resigned(bytes, keys)), TrustError::kUnknownFlags) << int{flags};
  }
  ByteVector init = wire;
  init[1] = 1;
  EXPECT_TRUE(trust::verify_signed_header(resigned(init, keys), keys.public_key).ok());
  init[2] = 1;
  EXPECT_EQ(header_error(resigned(init, keys)), TrustError::kUnknownFlags);
}

TEST_F(SignedChunk, TheRenditionIsSignedAndBounded) {
  const trust::ChunkHeader low = trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{3}, ChunkSeq{42},
                                                 TimeMs{1'700'000'000'123}, 1000, payload, true, RenditionId{2})
                                     .value();
  const ByteVector low_wire = trust::encode(trust::sign_header(low, keys.secret_key));
  EXPECT_EQ(low_wire[3], 2);
  const auto verified = trust::verify_signed_header(low_wire, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  EXPECT_EQ(verified.value().rendition, RenditionId{2});
  // A relay cannot pass one rendition's chunk off as another's.
  ByteVector relabelled = low_wire;
  relabelled[3] = 0;
  EXPECT_EQ(header_error(relabelled), TrustError::kBadSignature);
  for (Byte rendition : {Byte{trust::kMaxRenditions}, Byte{0x80}, Byte{0xFF}}) {
    ByteVector bytes = wire;
    bytes[3] = rendition;
    EXPECT_EQ(header_error(resigned(bytes, keys)), TrustError::kBadRendition) << int{rendition};
  }
  EXPECT_EQ(trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{3}, ChunkSeq{42}, TimeMs{0}, 1000,
                            payload, true, RenditionId{trust::kMaxRenditions})
                .error(),
            TrustError::kBadRendition);
}

// Whether a chunk starts at a keyframe rides in the signed flags byte: bit 0 clear yes, set no.
TEST_F(SignedChunk, AChunkThatStartsWithinAGroupOfPicturesSaysSoSigned) {
  EXPECT_EQ(wire[2], 0);
  EXPECT_TRUE(trust::verify_signed_header(wire, keys.public_key).value().keyframe);
  const trust::ChunkHeader delta = trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{3}, ChunkSeq{43},
                                                   TimeMs{1'700'000'001'123}, 1000, payload, false).value();
  const ByteVector delta_wire = trust::encode(trust::sign_header(delta, keys.secret_key));
  EXPECT_EQ(delta_wire[1], 2);
  EXPECT_EQ(delta_wire[2], 1);
  const auto verified = trust::verify_signed_header(delta_wire, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  EXPECT_EQ(verified.value().kind, trust::HeaderKind::kChunk);
  EXPECT_FALSE(verified.value().keyframe);
  EXPECT_EQ(trust::encode(trust::decode_signed_header(delta_wire).value()), delta_wire);
}

// A relay that flips the flag either way, to make viewers start on a chunk they cannot
// decode or to hide a start point, breaks the signature.
TEST_F(SignedChunk, ARelayCannotForgeTheKeyframeFlag) {
  ByteVector flipped = wire;
  flipped[2] = 1;
  EXPECT_EQ(header_error(flipped), TrustError::kBadSignature);
  const trust::ChunkHeader delta = trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{3}, ChunkSeq{42},
                                                   TimeMs{1'700'000'000'123}, 1000, payload, false).value();
  ByteVector unflipped = trust::encode(trust::sign_header(delta, keys.secret_key));
  unflipped[2] = 0;
  EXPECT_EQ(header_error(unflipped), TrustError::kBadSignature);
}

TEST_F(SignedChunk, ImpossibleLengthsAndPieceSizesAreMalformedEvenWhenSigned) {
  const auto with = [&](std::size_t offset, std::string_view hex_value) {
    ByteVector bytes = wire;
    const ByteVector value = hex(hex_value);
    std::copy(value.begin(), value.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
    return resigned(bytes, keys);
  };
  EXPECT_EQ(header_error(with(60, "00000000")), TrustError::kMalformedHeader);  // empty
  EXPECT_EQ(header_error(with(60, "01000001")), TrustError::kMalformedHeader);  // 16 MiB + 1
  EXPECT_EQ(header_error(with(64, "00002000")), TrustError::kMalformedHeader);  // 8 KiB pieces
  EXPECT_EQ(header_error(with(64, "00004001")), TrustError::kMalformedHeader);
  EXPECT_TRUE(trust::verify_signed_header(with(60, "01000000"), keys.public_key).ok());  // 16 MiB exactly
}

TEST_F(SignedChunk, AnotherStreamOrAForgedSignatureIsNamed) {
  EXPECT_EQ(trust::verify_signed_header(wire, stream_key(8).public_key).error(), TrustError::kWrongStream);
  // A header honestly signed by another key, claiming our stream.
  ByteVector impostor = wire;
  impostor = resigned(impostor, stream_key(8));
  EXPECT_EQ(header_error(impostor), TrustError::kBadSignature);
  ByteVector bent = wire;
  bent[110] ^= 1;
  EXPECT_EQ(header_error(bent), TrustError::kBadSignature);
  bent = wire;
  bent[44] ^= 1;  // seq: signed content changed
  EXPECT_EQ(header_error(bent), TrustError::kBadSignature);
}

TEST_F(SignedChunk, EveryPieceVerifiesAloneWithItsProof) {
  ASSERT_EQ(trust::piece_count(payload.size()), 7u);
  for (std::uint32_t i = 0; i < 7; ++i) {
    const auto checked = trust::verify_piece(header, PieceIndex{i}, piece(i), proof(i));
    EXPECT_TRUE(checked.ok()) << i << ": " << trust::to_string(checked.error());
  }
}

TEST_F(SignedChunk, AnyChangedByteInAnyPieceIsABadProof) {
  for (std::uint32_t i = 0; i < 7; ++i) {
    for (std::size_t offset = 0; offset < piece(i).size(); offset += 997) {
      for (std::size_t at : {offset, piece(i).size() - 1 - offset}) {
        ByteVector bent(piece(i).begin(), piece(i).end());
        bent[at] ^= 0x20;
        EXPECT_EQ(piece_error(i, bent, proof(i)), TrustError::kBadProof) << i << "@" << at;
      }
    }
  }
}

TEST_F(SignedChunk, GenuinePiecesOrProofsInTheWrongPlaceAreBadProofs) {
  EXPECT_EQ(piece_error(1, piece(2), proof(1)), TrustError::kBadProof);
  EXPECT_EQ(piece_error(1, piece(1), proof(2)), TrustError::kBadProof);
  EXPECT_EQ(piece_error(2, piece(1), proof(1)), TrustError::kBadProof);
  auto shorter = proof(3);
  shorter.pop_back();
  EXPECT_EQ(piece_error(3, piece(3), shorter), TrustError::kBadProof);
  auto longer = proof(3);
  longer.push_back(header.merkle_root);
  EXPECT_EQ(piece_error(3, piece(3), longer), TrustError::kBadProof);
  EXPECT_EQ(piece_error(3, piece(3), std::vector<trust::Digest>(40)), TrustError::kBadProof);
  // A proof that is right for another chunk does not carry over.
  const ByteVector other = chunk_of(100'000, 1);
  const auto other_leaves = trust::piece_hashes(other);
  EXPECT_EQ(piece_error(0, trust::piece_of(other, PieceIndex{0}), trust::merkle_proof(other_leaves, PieceIndex{0})),
            TrustError::kBadProof);
}

TEST_F(SignedChunk, WrongLengthsAndIndicesAreNamed) {
  EXPECT_EQ(piece_error(7, piece(6), proof(6)), TrustError::kPieceOutOfRange);
  EXPECT_EQ(piece_error(0xFFFFFFFF, piece(6), proof(6)), TrustError::kPieceOutOfRange);
  EXPECT_EQ(piece_error(0, piece(0).first(100), proof(0)), TrustError::kBadPieceLength);
  EXPECT_EQ(piece_error(0, piece(0).first(16383), proof(0)), TrustError::kBadPieceLength);
  EXPECT_EQ(piece_error(0, ByteView(payload).first(16385), proof(0)), TrustError::kBadPieceLength);
  EXPECT_EQ(piece_error(0, {}, proof(0)), TrustError::kBadPieceLength);
  // The last piece is the remainder: 100000 - 6 * 16384 = 1696 bytes, no more, no less.
  ASSERT_EQ(piece(6).size(), 1696u);
  EXPECT_EQ(piece_error(6, piece(5), proof(6)), TrustError::kBadPieceLength);
  EXPECT_EQ(piece_error(6, piece(6).first(1695), proof(6)), TrustError::kBadPieceLength);
}

TEST_F(SignedChunk, WholePayloadChecksAgainstLengthAndRoot) {
  EXPECT_TRUE(trust::verify_payload(header, payload).ok());
  for (std::size_t at : {std::size_t{0}, std::size_t{16383}, std::size_t{16384}, std::size_t{77'777}, std::size_t{99'999}}) {
    ByteVector bent = payload;
    bent[at] ^= 1;
    EXPECT_EQ(trust::verify_payload(header, bent).error(), TrustError::kBadProof) << at;
  }
  EXPECT_EQ(trust::verify_payload(header, ByteView(payload).first(99'999)).error(), TrustError::kBadPieceLength);
  ByteVector longer = payload;
  longer.push_back(0);
  EXPECT_EQ(trust::verify_payload(header, longer).error(), TrustError::kBadPieceLength);
  EXPECT_EQ(trust::verify_payload(header, {}).error(), TrustError::kBadPieceLength);
}

TEST(SignedPieces, EveryPieceVerifiesAtEveryBoundarySize) {
  const trust::KeyPair keys = stream_key();
  for (std::size_t size : {1u, 16383u, 16384u, 16385u, 32768u, 32769u, 5u * 16384u + 7u}) {
    const ByteVector payload = chunk_of(size, 3);
    const trust::ChunkHeader header = header_for(keys, payload);
    const auto leaves = trust::piece_hashes(payload);
    ASSERT_EQ(leaves.size(), (size + 16383) / 16384);
    for (std::uint32_t i = 0; i < leaves.size(); ++i)
      EXPECT_TRUE(trust::verify_piece(header, PieceIndex{i}, trust::piece_of(payload, PieceIndex{i}),
                                      trust::merkle_proof(leaves, PieceIndex{i}))
                      .ok())
          << size << "/" << i;
    EXPECT_TRUE(trust::verify_payload(header, payload).ok()) << size;
  }
}

TEST(SignedInit, InitSegmentsAreSignedWithTheirOwnKind) {
  const trust::KeyPair keys = stream_key();
  const ByteVector init = chunk_of(208);
  const auto h = trust::describe(trust::HeaderKind::kInit, keys.public_key, Epoch{1}, ChunkSeq{0}, TimeMs{5}, 0, init);
  const ByteVector wire = trust::encode(trust::sign_header(h.value(), keys.secret_key));
  EXPECT_EQ(wire[1], 1);
  EXPECT_EQ(wire[2], 0);
  const auto verified = trust::verify_signed_header(wire, keys.public_key);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified.value().kind, trust::HeaderKind::kInit);
  // The keyframe flag is a chunk's: an init header asked to carry false still has no flag.
  const auto no_flag = trust::describe(trust::HeaderKind::kInit, keys.public_key, Epoch{1}, ChunkSeq{0}, TimeMs{5}, 0,
                                       init, false);
  EXPECT_EQ(trust::encode(trust::sign_header(no_flag.value(), keys.secret_key)), wire);
  EXPECT_EQ(verified.value().epoch, Epoch{1});
  EXPECT_TRUE(trust::verify_payload(verified.value(), init).ok());
}

TEST(Describe, RefusesNothingAndTooMuch) {
  const trust::KeyPair keys = stream_key();
  const auto describe = [&](ByteView payload) {
    return trust::describe(trust::HeaderKind::kChunk, keys.public_key, Epoch{0}, ChunkSeq{0}, TimeMs{0}, 0, payload);
  };
  EXPECT_EQ(describe({}).error(), TrustError::kEmptyChunk);
  EXPECT_EQ(describe(ByteVector(trust::kMaxChunkBytes + 1)).error(), TrustError::kChunkTooLarge);
}

TEST(TrustErrors, HaveStableSnakeCaseNames) {
  EXPECT_STREQ(trust::to_string(TrustError::kMalformedHeader), "malformed_header");
  EXPECT_STREQ(trust::to_string(TrustError::kUnsupportedVersion), "unsupported_version");
  EXPECT_STREQ(trust::to_string(TrustError::kUnknownKind), "unknown_kind");
  EXPECT_STREQ(trust::to_string(TrustError::kWrongStream), "wrong_stream");
  EXPECT_STREQ(trust::to_string(TrustError::kBadSignature), "bad_signature");
  EXPECT_STREQ(trust::to_string(TrustError::kPieceOutOfRange), "piece_out_of_range");
  EXPECT_STREQ(trust::to_string(TrustError::kBadPieceLength), "bad_piece_length");
  EXPECT_STREQ(trust::to_string(TrustError::kBadProof), "bad_proof");
  EXPECT_STREQ(trust::to_string(TrustError::kBadStreamId), "bad_stream_id");
  EXPECT_STREQ(trust::to_string(TrustError::kBadEncoding), "bad_encoding");
  EXPECT_STREQ(trust::to_string(TrustError::kEmptyChunk), "empty_chunk");
  EXPECT_STREQ(trust::to_string(TrustError::kChunkTooLarge), "chunk_too_large");
  EXPECT_STREQ(trust::to_string(TrustError::kUnknownFlags), "unknown_flags");
  EXPECT_STREQ(trust::to_string(TrustError::kBadRendition), "bad_rendition");
}

}  // namespace
}  // namespace swarmcast::test
