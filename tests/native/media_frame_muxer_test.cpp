// The WebCodecs muxer: frames in, chunks out, read back block by block with libwebm.
#include <gtest/gtest.h>

#include <algorithm>

#include "media_blocks.hpp"
#include "media_mux_fixtures.hpp"

namespace swarmcast::test {
namespace {

constexpr std::array<Byte, 12> kUnknownSizeCluster{0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF,
                                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

// What `chunk` should hold: the frames pushed from its start up to `to_ms` (the next
// chunk's), its last video frame lasting to `last_video_ends_ms`.
std::vector<ReadBlock> expected_blocks(const std::vector<ScriptFrame>& frames, const media::MediaChunk& chunk,
                                       std::int64_t to_ms, std::int64_t last_video_ends_ms) {
  std::vector<ReadBlock> out;
  for (const ScriptFrame& f : frames) {
    const std::int64_t ms = f.timestamp_us / 1000;
    if (ms < chunk.start.value || ms >= to_ms) continue;
    out.push_back({f.video() ? media::kVideoTrackNumber : media::kAudioTrackNumber, ms, f.keyframe, f.bytes});
  }
  const auto last_video = std::find_if(out.rbegin(), out.rend(), [](const ReadBlock& b) { return b.track == media::kVideoTrackNumber; });
  if (last_video != out.rend()) last_video->duration = last_video_ends_ms - last_video->time;
  return out;
}

// The same, for a chunk whose last video frame lasts to the chunk's end.
std::vector<ReadBlock> expected_blocks(const std::vector<ScriptFrame>& frames, const media::MediaChunk& chunk, std::int64_t to_ms) {
  return expected_blocks(frames, chunk, to_ms, chunk.start.value + chunk.duration_ms);
}

TEST(FrameMuxer, ChunksOpenAtBoundariesAndReadBackFrameForFrame) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360), {Epoch{2}, ChunkSeq{40}});
  const std::vector<ScriptFrame> frames = capture_script(3.5, 0, 5'000'000);
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty()) << out.errors.front().detail;
  ASSERT_EQ(out.chunks.size(), 4u);

  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    const media::MediaChunk& chunk = out.chunks[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(chunk.seq.value, 40 + i);
    EXPECT_EQ(chunk.epoch.value, 2u);
    EXPECT_TRUE(chunk.keyframe);
    // The first frame at or after each whole second: 5000, 6000, 7000 (frame 60,
    // 5000 + 2000 = 7000 ms exactly) and 8000 ms.
    EXPECT_EQ(chunk.start.value, 5000 + 1000 * static_cast<std::int64_t>(i));
    const std::int64_t end = i + 1 < out.chunks.size() ? out.chunks[i + 1].start.value : 8500;
    // The last chunk ends where its last frame does: 8466 ms + a frame.
    EXPECT_EQ(chunk.start.value + chunk.duration_ms, i + 1 < out.chunks.size() ? end : 8499);

    const ReadWebm read = read_chunk(muxer, chunk);
    ASSERT_TRUE(read.parsed);
    ASSERT_EQ(read.clusters.size(), 1u);
    EXPECT_FALSE(read.clusters[0].known_size);
    EXPECT_EQ(read.clusters[0].timecode, static_cast<std::uint64_t>(chunk.start.value));
    EXPECT_EQ(read.blocks(), expected_blocks(frames, chunk, end));
    EXPECT_EQ(read.blocks().front().track, media::kVideoTrackNumber);
    EXPECT_TRUE(read.blocks().front().keyframe);
    EXPECT_TRUE(std::equal(kUnknownSizeCluster.begin(), kUnknownSizeCluster.end(), chunk.bytes.begin()));
  }
}

TEST(FrameMuxer, ChunksShorterThanAGroupOfPicturesOpenOnDeltaFrames) {
  // Boundaries every 250 ms, a keyframe on every fourth: the chunks between open on a
  // delta frame, say so, and hold every frame of their quarter second.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(2.0);
  std::int64_t last_quarter = -1;  // of the previous video frame
  for (ScriptFrame& f : frames) {
    if (!f.video()) continue;
    const std::int64_t quarter = f.timestamp_us / 250'000;
    f.boundary = quarter != last_quarter;
    f.keyframe = f.boundary && quarter % 4 == 0;
    last_quarter = quarter;
  }
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty()) << out.errors.front().detail;
  ASSERT_EQ(out.chunks.size(), 8u);
  EXPECT_EQ(muxer.dropped_frames(), 0u);
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    const media::MediaChunk& chunk = out.chunks[i];
    EXPECT_EQ(chunk.keyframe, i % 4 == 0);
    const std::int64_t end = i + 1 < out.chunks.size() ? out.chunks[i + 1].start.value : 2000;
    EXPECT_EQ(read_chunk(muxer, chunk).blocks(), expected_blocks(frames, chunk, end));
  }
}

TEST(FrameMuxer, TheBytesAppendedPushByPushAreTheChunkUpToItsLastVideoFrame) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  const Muxed out = mux(muxer, capture_script(3.2));
  ASSERT_EQ(out.chunks.size(), 4u);
  ASSERT_EQ(out.appended.size(), 4u);
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    const ByteVector& bytes = out.chunks[i].bytes;
    ASSERT_LT(out.appended[i].size(), bytes.size());
    EXPECT_TRUE(std::equal(out.appended[i].begin(), out.appended[i].end(), bytes.begin()));
    // The closed chunk adds its last video frame, a BlockGroup (ID 0xA0), and the audio
    // pushed after it.
    EXPECT_EQ(bytes[out.appended[i].size()], 0xA0);
    std::vector<ReadBlock> blocks = read_chunk(muxer, out.chunks[i]).blocks();
    const auto last_video = std::find_if(blocks.rbegin(), blocks.rend(), [](const ReadBlock& b) { return b.track == media::kVideoTrackNumber; });
    blocks.erase(std::prev(last_video.base()), blocks.end());
    media::MediaChunk appended = out.chunks[i];
    appended.bytes = out.appended[i];
    EXPECT_EQ(read_chunk(muxer, appended).blocks(), blocks);
  }
  EXPECT_TRUE(muxer.appended().empty());  // finish added to the closed chunk only
}

TEST(FrameMuxer, EveryAudioPacketGoesToTheChunkItsStartFallsIn) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  const Muxed out = mux(muxer, capture_script(4));
  ASSERT_EQ(out.chunks.size(), 4u);
  std::size_t audio_blocks = 0;
  for (const media::MediaChunk& chunk : out.chunks) {
    for (const ReadBlock& block : read_chunk(muxer, chunk).blocks()) {
      if (block.track != media::kAudioTrackNumber) continue;
      ++audio_blocks;
      EXPECT_GE(block.time, chunk.start.value);
      EXPECT_LT(block.time, chunk.start.value + chunk.duration_ms);
    }
  }
  EXPECT_EQ(audio_blocks, 200u);  // 4 s of 20 ms packets
}

TEST(FrameMuxer, FramesBeforeTheFirstBoundaryHaveNoChunkAndAreDropped) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(2.0, 0, 1'000'000);
  // Audio and a delta frame from before the first boundary.
  frames.insert(frames.begin(), {{media::FrameTrack::kAudio, 960'000, true, false, frame_bytes(99, 1, 40)},
                                 {media::FrameTrack::kVideo, 966'000, false, false, frame_bytes(0, 1, 40)},
                                 {media::FrameTrack::kAudio, 980'000, true, false, frame_bytes(99, 2, 40)}});
  const Muxed out = mux(muxer, frames);
  EXPECT_TRUE(out.errors.empty());
  EXPECT_EQ(muxer.dropped_frames(), 3u);
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].start.value, 1000);
  EXPECT_EQ(read_chunk(muxer, out.chunks[0]).blocks(), expected_blocks(frames, out.chunks[0], 2000));
}

TEST(FrameMuxer, VideoOnlyRenditionsMuxVideoAlone) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(320, 180, false));
  const std::vector<ScriptFrame> frames = capture_script(2.0, 0, 0, false);
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(read_chunk(muxer, out.chunks[1]).blocks(), expected_blocks(frames, out.chunks[1], 2000));
}

TEST(FrameMuxer, AChunkIsCutBeforeItsRelativeTimecodesOverflow) {
  // A stream whose boundaries stopped for 40 s: chunks are cut before the frame a 16-bit
  // relative timecode cannot reach, as the segmenter cuts them, and say they do not open
  // with a keyframe unless they do.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(40.0);
  for (ScriptFrame& f : frames) {
    if (f.video() && f.timestamp_us > 0) f.boundary = f.keyframe = false;
  }
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty());
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(out.chunks[0].start.value, 0);
  EXPECT_TRUE(out.chunks[0].keyframe);
  // The first block beyond 32767 ms: the audio packet at 32780 ms.
  EXPECT_EQ(out.chunks[1].start.value, 32780);
  EXPECT_EQ(out.chunks[0].duration_ms, 32780u);
  EXPECT_FALSE(out.chunks[1].keyframe);
  // An audio packet cut chunk 0: its last video frame (32766 ms) lasts as long as the
  // one before (33 ms), nearly up to the next at 32800 ms.
  EXPECT_EQ(read_chunk(muxer, out.chunks[0]).blocks(), expected_blocks(frames, out.chunks[0], 32780, 32799));
  EXPECT_EQ(read_chunk(muxer, out.chunks[1]).blocks(), expected_blocks(frames, out.chunks[1], 40000));
}

}  // namespace
}  // namespace swarmcast::test
