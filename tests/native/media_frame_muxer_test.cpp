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
// chunk's), its last video frame lasting to `last_video_ends_ms` and its last audio
// packet as long as the one before (the script's 20 ms).
std::vector<ReadBlock> expected_blocks(const std::vector<ScriptFrame>& frames, const media::MediaChunk& chunk,
                                       std::int64_t to_ms, std::int64_t last_video_ends_ms) {
  std::vector<ReadBlock> out;
  for (const ScriptFrame& f : frames) {
    const std::int64_t ms = f.timestamp_us / 1000;
    if (ms < chunk.start.value || ms >= to_ms) continue;
    out.push_back({f.video() ? media::kVideoTrackNumber : media::kAudioTrackNumber, ms, f.keyframe, f.bytes});
  }
  const auto last_of = [&](std::uint64_t track) {
    return std::find_if(out.rbegin(), out.rend(), [&](const ReadBlock& b) { return b.track == track; });
  };
  if (const auto video = last_of(media::kVideoTrackNumber); video != out.rend()) video->duration = last_video_ends_ms - video->time;
  if (const auto audio = last_of(media::kAudioTrackNumber); audio != out.rend()) audio->duration = 20;
  return out;
}

// The same, for a chunk whose last video frame lasts to the chunk's end.
std::vector<ReadBlock> expected_blocks(const std::vector<ScriptFrame>& frames, const media::MediaChunk& chunk, std::int64_t to_ms) {
  return expected_blocks(frames, chunk, to_ms, chunk.start.value + chunk.duration_ms);
}

// capture_script's frames with a boundary every 250 ms and a keyframe on every fourth.
std::vector<ScriptFrame> quarter_second_script(double seconds) {
  std::vector<ScriptFrame> frames = capture_script(seconds);
  std::int64_t last_quarter = -1;  // of the previous video frame
  for (ScriptFrame& f : frames) {
    if (!f.video()) continue;
    const std::int64_t quarter = f.timestamp_us / 250'000;
    f.boundary = quarter != last_quarter;
    f.keyframe = f.boundary && quarter % 4 == 0;
    last_quarter = quarter;
  }
  return frames;
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
    // The last chunk ends where its last frame does: the audio packet at 8480 ms, 20 ms
    // long; its last video frame at 8466 ms lasts as long as the one before.
    const bool last = i + 1 == out.chunks.size();
    EXPECT_EQ(chunk.start.value + chunk.duration_ms, last ? 8500 : end);

    const ReadWebm read = read_chunk(muxer, chunk);
    ASSERT_TRUE(read.parsed);
    ASSERT_EQ(read.clusters.size(), 1u);
    EXPECT_FALSE(read.clusters[0].known_size);
    EXPECT_EQ(read.clusters[0].timecode, static_cast<std::uint64_t>(chunk.start.value));
    EXPECT_EQ(read.blocks(), expected_blocks(frames, chunk, end, last ? 8499 : end));
    EXPECT_EQ(read.blocks().front().track, media::kVideoTrackNumber);
    EXPECT_TRUE(read.blocks().front().keyframe);
    EXPECT_TRUE(std::equal(kUnknownSizeCluster.begin(), kUnknownSizeCluster.end(), chunk.bytes.begin()));
  }
}

TEST(FrameMuxer, ChunksShorterThanAGroupOfPicturesOpenOnDeltaFrames) {
  // Boundaries every 250 ms, a keyframe on every fourth: the chunks between open on a
  // delta frame, say so, and hold every frame of their quarter second.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  const std::vector<ScriptFrame> frames = quarter_second_script(2.0);
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty()) << out.errors.front().detail;
  ASSERT_EQ(out.chunks.size(), 8u);
  EXPECT_EQ(muxer.dropped_frames(), 0u);
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    const media::MediaChunk& chunk = out.chunks[i];
    EXPECT_EQ(chunk.keyframe, i % 4 == 0);
    const bool last = i + 1 == out.chunks.size();
    const std::int64_t end = last ? 2000 : out.chunks[i + 1].start.value;
    EXPECT_EQ(read_chunk(muxer, chunk).blocks(), expected_blocks(frames, chunk, end, last ? 1999 : end));
  }
}

TEST(FrameMuxer, TheBytesAppendedPushByPushAreTheChunkButForTheFramesStillWaiting) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  const Muxed out = mux(muxer, capture_script(3.2));
  ASSERT_EQ(out.chunks.size(), 4u);
  ASSERT_EQ(out.appended.size(), 4u);
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    const ByteVector& bytes = out.chunks[i].bytes;
    ASSERT_LT(out.appended[i].size(), bytes.size());
    EXPECT_TRUE(std::equal(out.appended[i].begin(), out.appended[i].end(), bytes.begin()));
    // Read back, what was appended is the chunk's first blocks; the closed chunk adds
    // the rest, its last video frame among them.
    const std::vector<ReadBlock> blocks = read_chunk(muxer, out.chunks[i]).blocks();
    media::MediaChunk appended = out.chunks[i];
    appended.bytes = out.appended[i];
    const std::vector<ReadBlock> first = read_chunk(muxer, appended).blocks();
    ASSERT_LT(first.size(), blocks.size());
    EXPECT_TRUE(std::equal(first.begin(), first.end(), blocks.begin()));
    EXPECT_TRUE(std::none_of(blocks.begin() + static_cast<std::ptrdiff_t>(first.size()), blocks.end(),
                             [](const ReadBlock& b) { return b.track == media::kVideoTrackNumber && b.duration == 0; }))
        << "a video frame in what the close added without its duration";
  }
  EXPECT_TRUE(muxer.appended().empty());  // finish added to the closed chunk only
}

TEST(FrameMuxer, EachChunkEndsWhereTheNextBeginsThoughAudioAndVideoFramesDoNotLineUp) {
  // 250 ms chunks: a boundary's video frame (266 ms, 766 ms, ...) falls inside an audio
  // packet (260-280 ms) every other time. That packet opens the next chunk, and the
  // video frame before it is said to end there: every frame of a chunk ends by the next
  // chunk's start, and every block of a chunk starts at or after its own, in time order
  // (what Firefox's MSE and Chromium's each need to take the chunks as one stream).
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  const std::vector<ScriptFrame> frames = quarter_second_script(2.0);
  const Muxed out = mux(muxer, frames);
  ASSERT_TRUE(out.errors.empty());
  std::vector<std::int64_t> starts;
  for (const media::MediaChunk& chunk : out.chunks) starts.push_back(chunk.start.value);
  EXPECT_EQ(starts, (std::vector<std::int64_t>{0, 260, 500, 760, 1000, 1260, 1500, 1760}));
  for (std::size_t i = 0; i < out.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    const media::MediaChunk& chunk = out.chunks[i];
    const std::vector<ReadBlock> blocks = read_chunk(muxer, chunk).blocks();
    ASSERT_FALSE(blocks.empty());
    EXPECT_EQ(blocks.front().time, chunk.start.value);
    EXPECT_TRUE(std::is_sorted(blocks.begin(), blocks.end(), [](const ReadBlock& a, const ReadBlock& b) { return a.time < b.time; }));
    const std::int64_t end = chunk.start.value + chunk.duration_ms;
    for (std::size_t k = 0; k < blocks.size(); ++k) {
      // A block without a duration ends where the next of its track in the chunk begins.
      const auto next = std::find_if(blocks.begin() + static_cast<std::ptrdiff_t>(k) + 1, blocks.end(),
                                     [&](const ReadBlock& b) { return b.track == blocks[k].track; });
      if (next == blocks.end()) ASSERT_GT(blocks[k].duration, 0) << "the last of its track says where it ends";
      const std::int64_t ends = blocks[k].duration > 0 ? blocks[k].time + blocks[k].duration : next->time;
      EXPECT_LE(ends, end) << "block " << k << " at " << blocks[k].time;
    }
    if (i + 1 < out.chunks.size()) EXPECT_EQ(end, out.chunks[i + 1].start.value);
  }
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
  EXPECT_EQ(read_chunk(muxer, out.chunks[1]).blocks(), expected_blocks(frames, out.chunks[1], 40000, 39999));
}

}  // namespace
}  // namespace swarmcast::test
