// make_clip: an init segment and whole clusters become a WebM file whose timeline
// starts at 0. Checked by cutting the clip again with the segmenter (libwebm reads
// what we wrote), and against malformed and out-of-order input.
#include <gtest/gtest.h>

#include "media/clip.hpp"
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
    EXPECT_EQ(again.chunks[i].bytes.size(), stream.chunks[i + 2].bytes.size());
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
