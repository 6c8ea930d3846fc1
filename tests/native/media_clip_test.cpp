// make_clip: an init segment and whole clusters become a WebM file whose timeline
// starts at 0. Checked by cutting the clip again with the segmenter (libwebm reads
// what we wrote), and against malformed and out-of-order input.
#include <gtest/gtest.h>

#include "media/clip.hpp"
#include "media_blocks.hpp"
#include "media_fixtures.hpp"

namespace swarmcast::test {
namespace {

ByteVector clusters_of(const Segmented& s, std::size_t from, std::size_t to) {
  ByteVector out;
  for (std::size_t i = from; i < to; ++i) out.insert(out.end(), s.chunks[i].bytes.begin(), s.chunks[i].bytes.end());
  return out;
}

TEST(Clip, StartsAtZeroWithTheSameSpacingAndOtherwiseTheSameBytes) {
  const Segmented stream = segment(read_media("vp8-opus-1s.webm"));
  ASSERT_GE(stream.chunks.size(), 5u);
  const ByteVector& init = stream.inits.at(0).bytes;
  const ByteVector tail = clusters_of(stream, 2, stream.chunks.size());
  auto clip = media::make_clip(init, tail);
  ASSERT_TRUE(clip.ok()) << clip.error().detail;
  ASSERT_EQ(clip.value().size(), init.size() + tail.size());

  const Segmented again = segment(clip.value());
  ASSERT_TRUE(again.errors.empty()) << again.errors.front().detail;
  ASSERT_EQ(again.chunks.size(), stream.chunks.size() - 2);
  const std::int64_t offset = stream.chunks[2].start.value;
  EXPECT_GT(offset, 0);
  for (std::size_t i = 0; i < again.chunks.size(); ++i) {
    EXPECT_EQ(again.chunks[i].start.value, stream.chunks[i + 2].start.value - offset) << "chunk " << i;
    EXPECT_EQ(again.chunks[i].keyframe, stream.chunks[i + 2].keyframe);
  }
  // Only the Timecode values changed: a few bytes per cluster at most.
  std::size_t changed = 0;
  for (std::size_t i = 0; i < tail.size(); ++i) changed += clip.value()[init.size() + i] != tail[i];
  EXPECT_GT(changed, 0u);
  EXPECT_LE(changed, 8 * again.chunks.size() * 4);
}

TEST(Clip, FromTheStreamsStartIsTheStreamItself) {
  const Segmented stream = segment(read_media("vp8-opus-1s.webm"));
  const ByteVector& init = stream.inits.at(0).bytes;
  const ByteVector head = clusters_of(stream, 0, 2);
  ASSERT_EQ(stream.chunks[0].start.value, 0);
  auto clip = media::make_clip(init, head);
  ASSERT_TRUE(clip.ok()) << clip.error().detail;
  EXPECT_EQ(clip.value(), concat({init, head}));
}

TEST(Clip, StartsAtTheFirstChunkThatOpensWithAKeyframe) {
  // vp8-opus-4s: a keyframe every 4 s, so chunks cut by duration lie between them.
  const Segmented stream = segment(read_media("vp8-opus-4s.webm"));
  ASSERT_FALSE(stream.chunks[1].keyframe);
  std::size_t keyframe_chunk = 2;
  while (!stream.chunks.at(keyframe_chunk).keyframe) ++keyframe_chunk;
  const ByteVector& init = stream.inits.at(0).bytes;
  auto clip = media::make_clip(init, clusters_of(stream, 1, stream.chunks.size()));
  ASSERT_TRUE(clip.ok()) << clip.error().detail;
  EXPECT_EQ(clip.value().size(), init.size() + clusters_of(stream, keyframe_chunk, stream.chunks.size()).size());
  const Segmented again = segment(clip.value());
  ASSERT_EQ(again.chunks.size(), stream.chunks.size() - keyframe_chunk);
  EXPECT_TRUE(again.chunks.front().keyframe);
  EXPECT_EQ(again.chunks.front().start.value, 0);

  auto none = media::make_clip(init, clusters_of(stream, 1, keyframe_chunk));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().detail, "no video keyframe to start the clip at");
}

TEST(Clip, AudioTimedBeforeTheFirstKeyframeStillStartsAtZero) {
  // A keyframe at 1000 with audio muxed after it but timed at 995: the clip's timeline
  // starts at that audio frame, never before 0.
  const ByteVector header = concat({webm_ebml_header(), live_segment_start(), info(),
                                    tracks({track(1, 1, "V_VP8"), track(2, 2, "A_OPUS")})});
  const ByteVector audio = element({0xA3}, {0x82, 0xFF, 0xFB, 0x80, 0x11});  // track 2, relative -5
  const ByteVector cluster = element({0x1F, 0x43, 0xB6, 0x75},
                                     concat({element({0xE7}, {0x03, 0xE8}), simple_block(0, true, 10), audio,
                                             simple_block(33, false, 10)}));
  auto clip = media::make_clip(header, cluster);
  ASSERT_TRUE(clip.ok()) << clip.error().detail;
  const ReadWebm read = read_webm(clip.value());
  ASSERT_EQ(read.clusters.size(), 1u);
  EXPECT_EQ(read.clusters[0].timecode, 5u);
  const auto blocks = read.blocks();
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].time, 5);   // the keyframe
  EXPECT_EQ(blocks[1].time, 0);   // the audio frame, first in time
  EXPECT_EQ(blocks[2].time, 38);
}

TEST(Clip, BadInputIsATypedErrorNeverAFile) {
  const Segmented stream = segment(read_media("vp8-opus-1s.webm"));
  const ByteVector& init = stream.inits.at(0).bytes;
  const ByteVector two = clusters_of(stream, 1, 3);

  ByteVector cut(two.begin(), two.end() - 100);
  auto truncated = media::make_clip(init, cut);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().detail, "the last cluster is cut short");

  auto backwards = media::make_clip(init, concat({stream.chunks[3].bytes, stream.chunks[2].bytes}));
  ASSERT_FALSE(backwards.ok());
  EXPECT_EQ(backwards.error().detail, "a cluster earlier than the clip's first");

  auto bare = media::make_clip(init, {});
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().detail, "no cluster after the init segment");

  const ByteVector garbage(64, 0xFF);
  EXPECT_FALSE(media::make_clip(garbage, two).ok());
  EXPECT_FALSE(media::make_clip({}, two).ok());
}

}  // namespace
}  // namespace swarmcast::test
