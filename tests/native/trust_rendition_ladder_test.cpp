// The signed rendition list: its layout, its rules, its signature, and how a chunk
// header stands against it.
#include <gtest/gtest.h>

#include <optional>

#include "trust/rendition_ladder.hpp"
#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::Rendition;
using trust::RenditionStanding;
using trust::TrustError;

trust::RenditionLadder three_levels(const trust::KeyPair& keys) {
  return trust::RenditionLadder{keys.public_key, 2, ChunkSeq{100},
                                {Rendition{RenditionId{0}, 1280, 720, 2'500'000, 30'000, "vp8,opus"},
                                 Rendition{RenditionId{1}, 854, 480, 1'200'000, 30'000, "vp8,opus"},
                                 Rendition{RenditionId{2}, 426, 240, 400'000, 15'000, "vp8,opus"}}};
}

// Signs raw list bytes as the broadcaster would: lists that are correctly signed but
// break the rules, which sign_ladder refuses to make.
ByteVector resigned(ByteVector bytes, const trust::KeyPair& keys) {
  bytes.resize(bytes.size() - 64);
  const trust::Signature signature = trust::sign_detached(keys.secret_key, concat({text("swarmcast/ladder/v1"), bytes}));
  bytes.insert(bytes.end(), signature.begin(), signature.end());
  return bytes;
}

class SignedLadder : public ::testing::Test {
 protected:
  trust::KeyPair keys = stream_key();
  trust::RenditionLadder ladder = three_levels(keys);
  ByteVector wire = trust::sign_ladder(ladder, keys.secret_key).value();

  std::optional<TrustError> error_of(ByteView bytes) const {
    const auto checked = trust::verify_signed_ladder(bytes, keys.public_key);
    return checked.ok() ? std::nullopt : std::optional(checked.error());
  }
  // The list with one change, signed as it is, or the error sign_ladder gives.
  std::optional<TrustError> signing_error(const trust::RenditionLadder& changed) const {
    const auto signed_bytes = trust::sign_ladder(changed, keys.secret_key);
    return signed_bytes.ok() ? std::nullopt : std::optional(signed_bytes.error());
  }
};

TEST_F(SignedLadder, RoundTripsAndVerifies) {
  const auto verified = trust::verify_signed_ladder(wire, keys.public_key);
  ASSERT_TRUE(verified.ok()) << trust::to_string(verified.error());
  EXPECT_EQ(verified.value(), ladder);
  const auto decoded = trust::decode_signed_ladder(wire);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().ladder, ladder);
}

TEST_F(SignedLadder, LayoutIsBigEndianAtTheDocumentedOffsets) {
  const auto field = [&](std::size_t offset, std::size_t size) { return trust::to_hex(ByteView(wire).subspan(offset, size)); };
  ASSERT_EQ(wire.size(), 46u + 3 * (14 + 8) + 64);
  EXPECT_EQ(field(0, 1), "01");                                   // version
  EXPECT_EQ(field(1, 32), trust::to_hex(keys.public_key.bytes));  // stream
  EXPECT_EQ(field(33, 4), "00000002");                            // revision
  EXPECT_EQ(field(37, 8), "0000000000000064");                    // first seq 100
  EXPECT_EQ(field(45, 1), "03");                                  // count
  // id 0, 1280 x 720, 2500000 bps, 30 fps, "vp8,opus"
  EXPECT_EQ(field(46, 22), "00" "0500" "02d0" "002625a0" "00007530" "08" "7670382c6f707573");
  EXPECT_EQ(field(68 + 22, 1), "02");  // the third rendition's id
  trust::Signature signature;
  std::copy(wire.end() - 64, wire.end(), signature.begin());
  EXPECT_TRUE(trust::verify_detached(keys.public_key,
                                     concat({text("swarmcast/ladder/v1"), ByteView(wire).first(wire.size() - 64)}),
                                     signature));
}

TEST_F(SignedLadder, EverySingleByteChangeIsRejected) {
  for (std::size_t i = 0; i < wire.size(); ++i) {
    ByteVector bent = wire;
    bent[i] ^= 0x01;
    EXPECT_TRUE(error_of(bent).has_value()) << "byte " << i;
  }
}

TEST_F(SignedLadder, EveryTruncationAndExtensionIsMalformed) {
  for (std::size_t n = 0; n < wire.size(); ++n) EXPECT_TRUE(error_of(ByteView(wire).first(n)).has_value()) << n;
  ByteVector longer = wire;
  longer.push_back(0);
  EXPECT_EQ(error_of(resigned(longer, keys)), TrustError::kMalformedLadder);
  EXPECT_EQ(error_of(ByteVector(trust::kMaxSignedLadderBytes + 1, 1)), TrustError::kMalformedLadder);
}

TEST_F(SignedLadder, AnotherVersionStreamOrSignerIsNamed) {
  ByteVector other_version = wire;
  other_version[0] = 2;
  EXPECT_EQ(error_of(resigned(other_version, keys)), TrustError::kUnsupportedVersion);
  EXPECT_EQ(trust::verify_signed_ladder(wire, stream_key(8).public_key).error(), TrustError::kWrongStream);
  EXPECT_EQ(error_of(resigned(wire, stream_key(8))), TrustError::kBadSignature);
}

TEST_F(SignedLadder, ImpossibleListsAreRefusedToSignAndToRead) {
  const auto changed = [&](auto change) {
    trust::RenditionLadder copy = ladder;
    change(copy);
    return copy;
  };
  const std::vector<trust::RenditionLadder> broken = {
      changed([](auto& l) { l.renditions.clear(); }),
      changed([](auto& l) {
        const Rendition last = l.renditions[2];
        l.renditions.resize(trust::kMaxRenditions + 1, last);
      }),
      changed([](auto& l) { l.renditions[1].id = RenditionId{0}; }),                // an id twice
      changed([](auto& l) { l.renditions[2].id = RenditionId{trust::kMaxRenditions}; }),
      changed([](auto& l) { std::swap(l.renditions[0], l.renditions[1]); }),       // not highest first
      changed([](auto& l) { l.renditions[1].bitrate_bps = 2'500'000; }),            // a tie
      changed([](auto& l) { l.renditions[2].bitrate_bps = 0; }),
      changed([](auto& l) { l.renditions[0].width = 0; }),                          // half a size
      changed([](auto& l) { l.renditions[0].height = trust::kMaxDimension + 1; }),
      changed([](auto& l) { l.renditions[0].frame_rate_milli = 0; }),               // video at 0 fps
      changed([](auto& l) { l.renditions[0].frame_rate_milli = trust::kMaxFrameRateMilli + 1; }),
      changed([](auto& l) { l.renditions[2] = Rendition{RenditionId{2}, 0, 0, 64'000, 30'000, "opus"}; }),
      changed([](auto& l) { l.renditions[0].codecs = ""; }),
      changed([](auto& l) { l.renditions[0].codecs = "vp8, opus"; }),               // a space
      changed([](auto& l) { l.renditions[0].codecs = "vp8\x7f"; }),
      changed([](auto& l) { l.renditions[0].codecs = std::string(trust::kMaxCodecsBytes + 1, 'a'); }),
  };
  for (std::size_t i = 0; i < broken.size(); ++i) EXPECT_EQ(signing_error(broken[i]), TrustError::kMalformedLadder) << i;

  // The same breaks in correctly signed bytes: a bitrate tie, then a zero count.
  ByteVector tie = wire;
  std::copy_n(tie.begin() + 46 + 5, 4, tie.begin() + 68 + 5);
  EXPECT_EQ(error_of(resigned(tie, keys)), TrustError::kMalformedLadder);
  ByteVector none = wire;
  none[45] = 0;
  EXPECT_EQ(error_of(resigned(none, keys)), TrustError::kMalformedLadder);
}

TEST_F(SignedLadder, AudioOnlyAndLongestCodecsAreFine) {
  trust::RenditionLadder with_audio = ladder;
  with_audio.renditions[2] = Rendition{RenditionId{7}, 0, 0, 64'000, 0, std::string(trust::kMaxCodecsBytes, 'o')};
  const auto signed_bytes = trust::sign_ladder(with_audio, keys.secret_key);
  ASSERT_TRUE(signed_bytes.ok());
  EXPECT_EQ(trust::verify_signed_ladder(signed_bytes.value(), keys.public_key).value(), with_audio);
}

TEST(RenditionStanding, ChunksAreJudgedAgainstTheListFromItsFirstSeq) {
  const trust::KeyPair keys = stream_key();
  const trust::RenditionLadder ladder = three_levels(keys);
  const ByteVector payload = chunk_of(100);
  const auto header = [&](trust::HeaderKind kind, std::uint64_t seq, std::uint8_t rendition) {
    return trust::describe(kind, keys.public_key, Epoch{0}, ChunkSeq{seq}, TimeMs{0}, 1000, payload, true,
                           RenditionId{rendition})
        .value();
  };
  using trust::HeaderKind;
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kChunk, 100, 2)), RenditionStanding::kListed);
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kChunk, 100, 3)), RenditionStanding::kUnlisted);
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kChunk, 5000, 7)), RenditionStanding::kUnlisted);
  // Cut under an earlier list, or an init segment, which no seq dates: not provably wrong.
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kChunk, 99, 3)), RenditionStanding::kUnjudged);
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kInit, 0, 3)), RenditionStanding::kUnjudged);
  EXPECT_EQ(trust::rendition_standing(&ladder, header(HeaderKind::kInit, 0, 1)), RenditionStanding::kListed);
  // No list yet: a stream of one rendition, 0.
  EXPECT_EQ(trust::rendition_standing(nullptr, header(HeaderKind::kChunk, 100, 0)), RenditionStanding::kListed);
  EXPECT_EQ(trust::rendition_standing(nullptr, header(HeaderKind::kChunk, 100, 1)), RenditionStanding::kUnjudged);
}

// Chunk k of every rendition covers the same moment within two frames of the slower
// rendition (80 ms at least): 720p and 480p at 30 fps, 240p at 15 fps.
TEST(RenditionAlignment, StartsAndEndsAgreeWithinTwoFramesOfTheSlowerRendition) {
  const trust::KeyPair keys = stream_key();
  const trust::RenditionLadder ladder = three_levels(keys);
  const auto cut = [](std::uint8_t rendition, std::int64_t capture, std::uint32_t duration) {
    trust::ChunkHeader h;
    h.rendition = RenditionId{rendition};
    h.seq = ChunkSeq{100};
    h.capture_time = TimeMs{capture};
    h.duration_ms = duration;
    return h;
  };
  EXPECT_TRUE(trust::aligned(cut(0, 5000, 1000), cut(1, 5000, 1000), ladder));
  EXPECT_TRUE(trust::aligned(cut(0, 5000, 1000), cut(1, 5080, 920), ladder));   // start 80 ms later, same end
  EXPECT_TRUE(trust::aligned(cut(1, 5080, 1000), cut(0, 5000, 1000), ladder));  // both 80 ms apart, either order
  EXPECT_FALSE(trust::aligned(cut(0, 5000, 1000), cut(1, 5081, 919), ladder));
  EXPECT_FALSE(trust::aligned(cut(0, 5000, 1000), cut(1, 5000, 1081), ladder));  // ends 81 ms apart
  EXPECT_FALSE(trust::aligned(cut(0, 5000, 1000), cut(1, 7000, 1000), ladder));  // another moment altogether
  // 15 fps: two frames are 134 ms (133.3, rounded up).
  EXPECT_TRUE(trust::aligned(cut(0, 5000, 1000), cut(2, 5134, 866), ladder));
  EXPECT_FALSE(trust::aligned(cut(0, 5000, 1000), cut(2, 5135, 865), ladder));
  // A rendition the list lacks has no frame rate: the 80 ms floor.
  EXPECT_FALSE(trust::aligned(cut(2, 5000, 1000), cut(5, 5100, 900), ladder));
}

TEST(RenditionLadderErrors, HaveStableSnakeCaseNames) {
  EXPECT_STREQ(trust::to_string(TrustError::kMalformedLadder), "malformed_ladder");
}

}  // namespace
}  // namespace swarmcast::test
