// The segmenter over real ffmpeg-made WebM (tests/media/make-media.sh).
#include <gtest/gtest.h>

#include "media_blocks.hpp"
#include "media_fixtures.hpp"

namespace swarmcast::test {
namespace {

struct MediaCase {
  const char* file;
  std::uint32_t gop_ms;  // keyframe spacing the file was encoded with
  bool video, audio;
};

class RealMedia : public ::testing::TestWithParam<MediaCase> {};

TEST_P(RealMedia, EmitsOneInitThenChunksWithContiguousTimes) {
  const MediaCase& c = GetParam();
  const ByteVector file = read_media(c.file);
  ASSERT_GT(file.size(), 10000u) << "missing test media " << c.file;
  const Segmented s = segment(file);

  EXPECT_TRUE(s.errors.empty()) << media::to_string(s.errors.front().code) << ": " << s.errors.front().detail;
  ASSERT_EQ(s.inits.size(), 1u);
  EXPECT_EQ(s.inits[0].epoch, Epoch{0});
  EXPECT_EQ(!s.inits[0].video.codec_id.empty(), c.video);
  EXPECT_EQ(!s.inits[0].audio.codec_id.empty(), c.audio);
  ASSERT_GE(s.chunks.size(), 3u);
  ASSERT_TRUE(std::holds_alternative<media::InitSegment>(s.events.front()));

  std::uint64_t total_bytes = 0;
  for (std::size_t i = 0; i < s.chunks.size(); ++i) {
    const media::MediaChunk& chunk = s.chunks[i];
    EXPECT_EQ(chunk.seq, ChunkSeq{i});
    EXPECT_FALSE(chunk.bytes.empty());
    if (i + 1 < s.chunks.size()) {
      EXPECT_EQ(chunk.start.value + chunk.duration_ms, s.chunks[i + 1].start.value) << "chunk " << i;
      if (c.gop_ms <= 1000) {
        // Whole GOPs near the 1 s target, each opening with its keyframe.
        EXPECT_TRUE(chunk.keyframe) << "chunk " << i;
        EXPECT_NEAR(chunk.duration_ms, 1000, 1000 / 4 + 40) << "chunk " << i;
      } else {
        // Sparser keyframes: cut by duration between them, never past 1.25 x the target.
        EXPECT_LE(chunk.duration_ms, 1250u + 40u) << "chunk " << i;
      }
    }
    total_bytes += chunk.bytes.size();
  }
  // Chunks hold the blocks; only headers, cues, seek data and the clusters' own
  // headers are left out.
  EXPECT_GT(total_bytes, file.size() * 9 / 10);
  EXPECT_LT(total_bytes, file.size());
}

TEST_P(RealMedia, AnySlicingGivesTheSameEvents) {
  const ByteVector file = read_media(GetParam().file);
  const Segmented whole = segment(file);
  for (std::size_t slice : {1, 7, 4096}) {
    const Segmented sliced = segment(file, slice);
    ASSERT_EQ(sliced.inits.size(), whole.inits.size()) << "slice " << slice;
    EXPECT_EQ(sliced.inits[0].bytes, whole.inits[0].bytes) << "slice " << slice;
    ASSERT_EQ(sliced.chunks.size(), whole.chunks.size()) << "slice " << slice;
    for (std::size_t i = 0; i < whole.chunks.size(); ++i) {
      EXPECT_EQ(sliced.chunks[i].bytes, whole.chunks[i].bytes) << "slice " << slice << " chunk " << i;
      EXPECT_EQ(sliced.chunks[i].start, whole.chunks[i].start);
      EXPECT_EQ(sliced.chunks[i].duration_ms, whole.chunks[i].duration_ms);
    }
    EXPECT_TRUE(sliced.errors.empty());
  }
}

TEST_P(RealMedia, EachChunkIsOneClusterOfKnownSizeHoldingTheFilesBlocksInOrder) {
  const ByteVector file = read_media(GetParam().file);
  const Segmented s = segment(file);
  ASSERT_EQ(s.inits.size(), 1u);
  const ReadWebm original = read_webm(file);
  ASSERT_TRUE(original.parsed);
  ASSERT_GT(original.clusters.size(), s.chunks.size() / 2) << "the file has clusters to merge";

  std::vector<ReadBlock> from_chunks;
  for (const media::MediaChunk& chunk : s.chunks) {
    const ReadWebm read = read_webm(concat({s.inits[0].bytes, chunk.bytes}));
    ASSERT_TRUE(read.parsed) << "chunk " << chunk.seq.value;
    ASSERT_EQ(read.clusters.size(), 1u) << "chunk " << chunk.seq.value;
    const ReadCluster& cluster = read.clusters[0];
    EXPECT_TRUE(cluster.known_size);
    EXPECT_EQ(cluster.bytes, chunk.bytes.size());
    // ffmpeg writes a TimecodeScale of 1 ms: the Cluster Timecode is the chunk's start.
    EXPECT_EQ(static_cast<std::int64_t>(cluster.timecode), chunk.start.value);
    ASSERT_FALSE(cluster.blocks.empty());
    const auto first_video = std::find_if(cluster.blocks.begin(), cluster.blocks.end(),
                                          [&](const ReadBlock& b) { return b.track == 1 && GetParam().video; });
    if (first_video != cluster.blocks.end()) EXPECT_EQ(chunk.keyframe, first_video->keyframe) << "chunk " << chunk.seq.value;
    from_chunks.insert(from_chunks.end(), cluster.blocks.begin(), cluster.blocks.end());
  }
  // Same blocks, same order, same absolute times, same frames.
  const std::vector<ReadBlock> expected = original.blocks();
  ASSERT_EQ(from_chunks.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) ASSERT_EQ(from_chunks[i], expected[i]) << "block " << i;
}

INSTANTIATE_TEST_SUITE_P(
    Ffmpeg, RealMedia,
    ::testing::Values(MediaCase{"vp8-opus-1s.webm", 1000, true, true}, MediaCase{"vp9-opus-1s.webm", 1000, true, true},
                      MediaCase{"vp8-opus-4s.webm", 4000, true, true}, MediaCase{"vp8-video-only.webm", 1000, true, false},
                      MediaCase{"opus-audio-only.webm", 0, false, true}, MediaCase{"vp8-alpha.webm", 1000, true, true},
                      MediaCase{"vp8-opus-live.webm", 1000, true, true}),
    [](const auto& info) {
      std::string name = info.param.file;
      name = name.substr(0, name.find('.'));
      for (char& ch : name)
        if (ch == '-') ch = '_';
      return name;
    });

TEST(Segmenter, InitSegmentIsHeaderWithLiveSegmentAndNoClusters) {
  const Segmented s = segment(read_media("vp8-opus-1s.webm"));
  const ByteVector& init = s.inits.at(0).bytes;
  ASSERT_GT(init.size(), 40u);
  EXPECT_EQ(ByteVector(init.begin(), init.begin() + 4), (ByteVector{0x1A, 0x45, 0xDF, 0xA3}));
  const ByteVector cluster_id{0x1F, 0x43, 0xB6, 0x75};
  EXPECT_EQ(std::search(init.begin(), init.end(), cluster_id.begin(), cluster_id.end()), init.end());
  const ByteVector live_segment = concat({{0x18, 0x53, 0x80, 0x67}, kUnknownSize});
  EXPECT_NE(std::search(init.begin(), init.end(), live_segment.begin(), live_segment.end()), init.end());
  EXPECT_EQ(s.inits[0].mime_type, "video/webm; codecs=\"vp8,opus\"");
  EXPECT_EQ(s.inits[0].video.width, 320u);
  EXPECT_EQ(s.inits[0].video.height, 180u);
  EXPECT_EQ(s.inits[0].audio.sample_rate, 48000u);
}

TEST(Segmenter, EveryChunkStartsWithACluster) {
  const Segmented s = segment(read_media("vp9-opus-1s.webm"));
  for (const auto& chunk : s.chunks)
    EXPECT_EQ(ByteVector(chunk.bytes.begin(), chunk.bytes.begin() + 4), (ByteVector{0x1F, 0x43, 0xB6, 0x75}));
}

TEST(Segmenter, ARestartedRecorderStartsANewEpochAndSequenceGoesOn) {
  const ByteVector first = read_media("vp8-opus-live.webm");
  const ByteVector second = read_media("vp9-opus-1s.webm");
  const Segmented alone = segment(first);
  const Segmented s = segment(concat({first, second}), 4096);

  EXPECT_TRUE(s.errors.empty());
  ASSERT_EQ(s.inits.size(), 2u);
  EXPECT_EQ(s.inits[0].epoch, Epoch{0});
  EXPECT_EQ(s.inits[1].epoch, Epoch{1});
  EXPECT_EQ(s.inits[1].mime_type, "video/webm; codecs=\"vp9,opus\"");
  // Byte for byte the init segment of the second recording alone (libwebm misreports
  // where its EBML header starts after the first recording's unknown-size Segment).
  EXPECT_EQ(s.inits[1].bytes, segment(second).inits.at(0).bytes);
  for (std::size_t i = 0; i < s.chunks.size(); ++i) EXPECT_EQ(s.chunks[i].seq, ChunkSeq{i});
  // The first epoch's chunks are exactly those of the first recording alone.
  for (std::size_t i = 0; i < alone.chunks.size(); ++i) {
    EXPECT_EQ(s.chunks[i].epoch, Epoch{0});
    EXPECT_EQ(s.chunks[i].bytes, alone.chunks[i].bytes);
  }
  EXPECT_EQ(s.chunks[alone.chunks.size()].epoch, Epoch{1});
}

TEST(Segmenter, SparseKeyframesGiveTargetLongChunksAndEveryKeyframeOpensOne) {
  // vp8-opus-4s: a keyframe every 4 s, as Firefox's recorder makes one every ~10 s.
  const Segmented s = segment(read_media("vp8-opus-4s.webm"));
  ASSERT_TRUE(s.errors.empty());
  ASSERT_GE(s.chunks.size(), 9u);
  std::size_t keyframe_chunks = 0;
  for (const auto& chunk : s.chunks) {
    EXPECT_LE(chunk.duration_ms, 1250u + 40u);
    keyframe_chunks += chunk.keyframe;
    const ReadWebm read = read_webm(concat({s.inits[0].bytes, chunk.bytes}));
    std::size_t video_keyframes = 0;
    for (const ReadBlock& b : read.blocks()) video_keyframes += b.track == 1 && b.keyframe;
    // A keyframe, when the chunk has one, is its first video frame.
    EXPECT_EQ(video_keyframes, chunk.keyframe ? 1u : 0u) << "chunk " << chunk.seq.value;
  }
  EXPECT_EQ(keyframe_chunks, 3u);  // 12 s of 4 s GOPs
  EXPECT_TRUE(s.chunks.front().keyframe);
}

TEST(Segmenter, MaxDurationIsAConfig) {
  media::SegmenterConfig config;
  config.max_duration_ms = 2000;
  const Segmented s = segment(read_media("vp8-opus-4s.webm"), 0, config);
  for (std::size_t i = 0; i + 1 < s.chunks.size(); ++i) EXPECT_NEAR(s.chunks[i].duration_ms, 2000, 40);
}

TEST(Segmenter, ByteCapEndsAChunkAtABlockWithoutKeyframe) {
  media::SegmenterConfig config;
  config.target_duration_ms = config.max_duration_ms = 60'000;  // never by time
  config.max_chunk_bytes = 100'000;
  const Segmented s = segment(read_media("vp8-opus-4s.webm"), 0, config);
  ASSERT_GE(s.chunks.size(), 4u);
  bool some_not_keyframe = false;
  for (const auto& chunk : s.chunks) {
    EXPECT_LT(chunk.bytes.size(), 100'000u + 60'000u);  // one block past the cap at most
    some_not_keyframe |= !chunk.keyframe;
  }
  EXPECT_TRUE(s.chunks.front().keyframe);
  EXPECT_TRUE(some_not_keyframe);
}

TEST(Segmenter, MemoryFollowsTheChunkBeingAssembledNotTheStream) {
  const ByteVector file = read_media("bench-vp8-opus.webm");
  const Segmented s = segment(file, 16384);
  std::size_t largest_chunk = 0;
  for (const auto& chunk : s.chunks) largest_chunk = std::max(largest_chunk, chunk.bytes.size());
  EXPECT_LT(s.peak_retained, 3 * largest_chunk);
  EXPECT_LT(s.peak_retained, file.size() / 4);
}

}  // namespace
}  // namespace swarmcast::test
