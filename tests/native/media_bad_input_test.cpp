// The segmenter on hostile and broken input: typed errors, bounded memory, recovery.
#include <gtest/gtest.h>

#include <random>

#include "media_blocks.hpp"
#include "media_fixtures.hpp"

namespace swarmcast::test {
namespace {

using media::SegmenterErrorCode;

bool has_error(const Segmented& s, SegmenterErrorCode code) {
  return std::any_of(s.errors.begin(), s.errors.end(), [&](const auto& e) { return e.code == code; });
}

ByteVector random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  ByteVector out(n);
  for (auto& b : out) b = static_cast<Byte>(rng());
  return out;
}

ByteVector header_with(const ByteVector& track_list) {
  return concat({webm_ebml_header(), live_segment_start(), info(), track_list});
}

TEST(SegmenterBadInput, RandomBytesGiveATypedErrorAndNothingElse) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    const Segmented s = segment(random_bytes(64 * 1024, seed), 1000);
    EXPECT_TRUE(s.inits.empty()) << "seed " << seed;
    EXPECT_TRUE(s.chunks.empty()) << "seed " << seed;
    ASSERT_FALSE(s.errors.empty()) << "seed " << seed;
    EXPECT_TRUE(s.errors.front().fatal);
    EXPECT_LT(s.peak_retained, 64u * 1024 + 16) << "seed " << seed;
  }
}

TEST(SegmenterBadInput, EmptyStreamIsNoEventAtAll) {
  const Segmented s = segment({});
  EXPECT_TRUE(s.events.empty());
}

TEST(SegmenterBadInput, FileCutMidClusterKeepsWholeBlocksAndSaysTruncated) {
  const ByteVector file = read_media("vp8-opus-live.webm");
  const Segmented whole = segment(file);
  const ByteVector cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(file.size() * 6 / 10));
  const Segmented s = segment(cut, 1);

  ASSERT_EQ(s.inits.size(), 1u);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].code, SegmenterErrorCode::kTruncated);
  ASSERT_FALSE(s.chunks.empty());
  // Every emitted chunk but the last is exactly the chunk of the whole file; the last
  // holds only whole blocks (a prefix of the whole file's chunk's blocks).
  for (std::size_t i = 0; i + 1 < s.chunks.size(); ++i) EXPECT_EQ(s.chunks[i].bytes, whole.chunks[i].bytes);
  const ReadWebm last = read_webm(concat({s.inits[0].bytes, s.chunks.back().bytes}));
  const ReadWebm full = read_webm(concat({s.inits[0].bytes, whole.chunks[s.chunks.size() - 1].bytes}));
  ASSERT_EQ(last.clusters.size(), 1u);
  const auto last_blocks = last.blocks(), full_blocks = full.blocks();
  ASSERT_FALSE(last_blocks.empty());
  ASSERT_LE(last_blocks.size(), full_blocks.size());
  EXPECT_TRUE(std::equal(last_blocks.begin(), last_blocks.end(), full_blocks.begin()));
}

TEST(SegmenterBadInput, ATimecodeScaleOrClusterTimecodeBeyondRangeIsMalformed) {
  const ByteVector huge_scale = element({0x15, 0x49, 0xA9, 0x66}, element({0x2A, 0xD7, 0xB1}, {0x01, 0, 0, 0, 0}));
  const Segmented a = segment(concat({webm_ebml_header(), live_segment_start(), huge_scale, tracks({track(1, 1, "V_VP8")}),
                                      live_cluster(0, {simple_block(0, true, 10)})}));
  EXPECT_TRUE(has_error(a, SegmenterErrorCode::kMalformed));
  EXPECT_TRUE(a.chunks.empty());
  ByteVector far_cluster = concat({{0x1F, 0x43, 0xB6, 0x75}, kUnknownSize,
                                   element({0xE7}, {0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}),
                                   simple_block(0, true, 10)});
  const Segmented b = segment(concat({header_with(tracks({track(1, 1, "V_VP8")})),
                                      live_cluster(0, {simple_block(0, true, 10)}), far_cluster}));
  EXPECT_TRUE(has_error(b, SegmenterErrorCode::kMalformed));
  EXPECT_EQ(b.chunks.size(), 1u);  // the block before it
}

TEST(SegmenterBadInput, TruncatedInsideTheHeaderIsTruncated) {
  const ByteVector file = read_media("vp8-opus-1s.webm");
  const Segmented s = segment(ByteView(file).first(100));
  EXPECT_TRUE(s.inits.empty());
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].code, SegmenterErrorCode::kTruncated);
}

TEST(SegmenterBadInput, HugeDeclaredSizeIsRejectedWithoutAllocating) {
  // An Info element claiming 2^56 - 2 bytes (the largest size EBML can declare), and a
  // CodecPrivate claiming 2^40.
  const Segmented a = segment(concat({webm_ebml_header(), live_segment_start(),
                                      element_declaring({0x15, 0x49, 0xA9, 0x66}, (1ull << 56) - 2)}));
  EXPECT_TRUE(has_error(a, SegmenterErrorCode::kElementTooLarge)) << media::to_string(a.errors.at(0).code);
  const ByteVector huge_private = element_declaring({0x63, 0xA2}, 1ull << 40);
  const ByteVector entry = concat({{0xAE}, ebml_size(huge_private.size() + 3), element({0xD7}, {1}), huge_private});
  const Segmented b = segment(header_with(concat({{0x16, 0x54, 0xAE, 0x6B}, ebml_size(entry.size()), entry})));
  // libwebm itself sees the child overflow its parent before anything is allocated.
  EXPECT_TRUE(has_error(b, SegmenterErrorCode::kMalformed)) << b.errors.at(0).detail;
  EXPECT_EQ(b.errors.at(0).detail, "a child element overflows its parent");
  EXPECT_LT(b.peak_retained, 1024u);
}

TEST(SegmenterBadInput, UnknownSizeClusterGrowingPastTheCapIsCut) {
  media::SegmenterConfig config;
  config.max_element_bytes = 64 * 1024;
  ByteVector stream = concat({header_with(tracks({track(1, 1, "V_VP8")})), live_cluster(0, {})});
  for (int i = 0; i < 100; ++i) {
    const ByteVector block = simple_block(static_cast<std::int16_t>(i * 33), i == 0, 4000);
    stream.insert(stream.end(), block.begin(), block.end());
  }
  const Segmented s = segment(stream, 1000, config);
  EXPECT_TRUE(has_error(s, SegmenterErrorCode::kElementTooLarge));
  EXPECT_LT(s.peak_retained, 3u * config.max_element_bytes);
}

TEST(SegmenterBadInput, UnknownElementInsideASegmentIsSkippedAndSaid) {
  // 0x5F5F is a well-formed EBML id but no Matroska element. (Directly inside an
  // unknown-size Segment it would end the Segment, as EBML says for unknown sizes.)
  const ByteVector info_with_unknown =
      element({0x15, 0x49, 0xA9, 0x66}, concat({element({0x2A, 0xD7, 0xB1}, {0x0F, 0x42, 0x40}),
                                                element({0x5F, 0x5F}, {1, 2, 3})}));
  const ByteVector stream = concat({webm_ebml_header(), live_segment_start(), info_with_unknown,
                                    tracks({track(1, 1, "V_VP8")}),
                                    live_cluster(0, {simple_block(0, true, 100)}),
                                    live_cluster(1000, {simple_block(0, true, 100)})});
  const Segmented s = segment(stream, 1);
  ASSERT_EQ(s.errors.size(), 1u);
  EXPECT_EQ(s.errors[0].code, SegmenterErrorCode::kUnknownElement);
  EXPECT_FALSE(s.errors[0].fatal);
  EXPECT_EQ(s.inits.size(), 1u);
  EXPECT_EQ(s.chunks.size(), 2u);
}

TEST(SegmenterBadInput, TrackListWithoutVideoOrAudioIsNoMediaTracks) {
  const ByteVector stream = concat({header_with(tracks({track(1, 0x11, "S_TEXT/UTF8")})),
                                    live_cluster(0, {simple_block(0, true, 10)})});
  const Segmented s = segment(stream);
  EXPECT_TRUE(s.inits.empty());
  EXPECT_TRUE(has_error(s, SegmenterErrorCode::kNoMediaTracks));
}

TEST(SegmenterBadInput, ClusterBeforeTracksIsMissingTracks) {
  const Segmented s = segment(concat({webm_ebml_header(), live_segment_start(), info(),
                                      live_cluster(0, {simple_block(0, true, 10)})}));
  EXPECT_TRUE(has_error(s, SegmenterErrorCode::kMissingTracks));
}

TEST(SegmenterBadInput, MatroskaDocTypeIsUnsupported) {
  ByteVector stream = read_media("vp8-opus-1s.webm");
  const ByteVector webm{'w', 'e', 'b', 'm'};
  auto at = std::search(stream.begin(), stream.begin() + 64, webm.begin(), webm.end());
  ASSERT_NE(at, stream.begin() + 64);
  at[0] = 'x';
  const Segmented s = segment(stream);
  EXPECT_TRUE(has_error(s, SegmenterErrorCode::kUnsupportedDocType));
  EXPECT_TRUE(s.chunks.empty());
}

TEST(SegmenterBadInput, ResumesAtTheNextEbmlHeaderAfterGarbage) {
  const ByteVector good = read_media("vp8-opus-live.webm");
  const Segmented alone = segment(good);
  for (std::size_t slice : {1, 333, 0}) {
    // A recording cut short, zeros (an invalid element id), then a new recording.
    const ByteVector cut(good.begin(), good.begin() + 150'000);
    const Segmented s = segment(concat({cut, ByteVector(5000, 0x00), good}), slice);
    ASSERT_EQ(s.inits.size(), 2u) << "slice " << slice;
    EXPECT_EQ(s.inits[1].epoch, Epoch{1});
    ASSERT_FALSE(s.errors.empty());
    EXPECT_TRUE(s.errors.front().fatal);
    // Everything of the second recording arrives intact.
    ASSERT_GE(s.chunks.size(), alone.chunks.size());
    const std::size_t offset = s.chunks.size() - alone.chunks.size();
    for (std::size_t i = 0; i < alone.chunks.size(); ++i)
      EXPECT_EQ(s.chunks[offset + i].bytes, alone.chunks[i].bytes) << "slice " << slice << " chunk " << i;
  }
}

TEST(SegmenterBadInput, AnEbmlMagicThatFailsAtOnceIsNotRetriedForever) {
  // After an error the segmenter resumes at the next EBML magic; one whose size is
  // invalid fails before any element begins, and the scan must move past it.
  const ByteVector good = read_media("vp8-opus-live.webm");
  const ByteVector stream = concat({ByteVector(good.begin(), good.begin() + 5000), ByteVector(64, 0x00),
                                    {0x1A, 0x45, 0xDF, 0xA3, 0x00}, ByteVector(64, 0x00)});
  for (std::size_t slice : {1, 7, 0}) {
    const Segmented s = segment(stream, slice);
    EXPECT_LE(s.errors.size(), 3u) << "slice " << slice;
    EXPECT_LT(s.peak_retained, 10'000u);
  }
}

TEST(SegmenterBadInput, RandomMutationsOfARealFileNeverCrashAndStayBounded) {
  const ByteVector file = read_media("vp8-opus-1s.webm");
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    ByteVector mutated = file;
    const int flips = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < flips; ++i) mutated[rng() % std::min<std::size_t>(mutated.size(), 4096 + rng() % mutated.size())] ^= static_cast<Byte>(1u << (rng() % 8));
    const Segmented s = segment(mutated, 1 + rng() % 20000);
    EXPECT_LT(s.peak_retained, 20u << 20);
    for (const auto& chunk : s.chunks) EXPECT_FALSE(chunk.bytes.empty());
  }
}

}  // namespace
}  // namespace swarmcast::test
