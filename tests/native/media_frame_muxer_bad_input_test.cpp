// The WebCodecs muxer on bad input: every refusal is a typed error, never a crash, and
// what it does emit still reads back.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "media_blocks.hpp"
#include "media_mux_fixtures.hpp"

namespace swarmcast::test {
namespace {

using media::FrameTrack;
using media::MuxErrorCode;

std::vector<std::int64_t> video_times(const media::FrameMuxer& muxer, const media::MediaChunk& chunk) {
  std::vector<std::int64_t> out;
  for (const ReadBlock& b : read_chunk(muxer, chunk).blocks())
    if (b.track == media::kVideoTrackNumber) out.push_back(b.time);
  return out;
}

// One push, its single error.
media::MuxError refused(media::FrameMuxer& muxer, const ScriptFrame& frame) {
  Muxed out;
  collect(muxer.push(frame.encoded()), out);
  EXPECT_TRUE(muxer.appended().empty());
  if (out.errors.size() != 1) throw std::runtime_error("expected one error");
  EXPECT_FALSE(out.errors[0].fatal);
  return out.errors[0];
}

ScriptFrame video(std::int64_t us, bool key = false, std::size_t size = 50) {
  return {FrameTrack::kVideo, us, key, key, frame_bytes(0, static_cast<std::uint64_t>(us), size)};
}
ScriptFrame audio(std::int64_t us) {
  return {FrameTrack::kAudio, us, true, false, frame_bytes(99, static_cast<std::uint64_t>(us), 40)};
}

TEST(FrameMuxerBadInput, AVideoFrameBackInTimeIsRefusedAndVideoWaitsForAKeyframe) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(1.0);
  Muxed out = mux(muxer, frames, false);
  EXPECT_EQ(refused(muxer, video(500'000)).code, MuxErrorCode::kOutOfOrder);
  // The frames after the refused one reference it: dropped quietly; audio goes on.
  collect(muxer.push(video(1'000'000).encoded()), out);
  collect(muxer.push(audio(1'010'000).encoded()), out);
  collect(muxer.push(video(1'033'333).encoded()), out);
  EXPECT_EQ(muxer.dropped_frames(), 2u);
  collect(muxer.push(video(1'066'666, true).encoded()), out);  // the next boundary
  collect(muxer.push(video(1'100'000).encoded()), out);
  collect(muxer.finish(), out);
  EXPECT_TRUE(out.errors.empty());
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_EQ(video_times(muxer, out.chunks[0]).back(), 966);
  EXPECT_EQ(read_chunk(muxer, out.chunks[0]).blocks().back().time, 1010);  // the audio
  EXPECT_EQ(out.chunks[1].start.value, 1066);
  EXPECT_EQ(video_times(muxer, out.chunks[1]), (std::vector<std::int64_t>{1066, 1100}));
}

TEST(FrameMuxerBadInput, AudioBackInTimeIsRefusedAlone) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  Muxed out = mux(muxer, capture_script(0.5), false);
  EXPECT_EQ(refused(muxer, audio(100'000)).code, MuxErrorCode::kOutOfOrder);
  collect(muxer.push(video(500'000).encoded()), out);  // video is not held back
  EXPECT_EQ(muxer.dropped_frames(), 0u);
  EXPECT_FALSE(muxer.appended().empty());
}

TEST(FrameMuxerBadInput, ABoundaryOnADeltaFrameAfterARefusedOneStillCutsButHoldsVideoBack) {
  // The chunk starts where every other rendition's does, says it has no keyframe, and
  // carries the audio until a keyframe brings the video back: its delta frames would
  // reference the one refused.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(3.0);
  for (ScriptFrame& f : frames)
    if (f.boundary && f.timestamp_us == 1'000'000) f.keyframe = false;
  for (ScriptFrame& f : frames)
    if (f.video() && f.timestamp_us > 900'000 && f.timestamp_us < 1'000'000) f.bytes.clear();
  const Muxed out = mux(muxer, frames);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].code, MuxErrorCode::kEmptyFrame);
  ASSERT_EQ(out.chunks.size(), 3u);
  EXPECT_EQ(out.chunks[1].start.value, 1000);
  EXPECT_FALSE(out.chunks[1].keyframe);
  EXPECT_EQ(out.chunks[1].duration_ms, 1000u);
  EXPECT_TRUE(video_times(muxer, out.chunks[1]).empty());
  EXPECT_EQ(read_chunk(muxer, out.chunks[1]).blocks().size(), 50u);  // a second of audio
  EXPECT_TRUE(out.chunks[2].keyframe);
  EXPECT_EQ(video_times(muxer, out.chunks[2]).size(), 30u);
}

TEST(FrameMuxerBadInput, VideoBeforeTheFirstKeyframeIsHeldBack) {
  // A first boundary on a delta frame: nothing before it to decode it from.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  std::vector<ScriptFrame> frames = capture_script(2.0);
  frames.front().keyframe = false;
  const Muxed out = mux(muxer, frames);
  EXPECT_TRUE(out.errors.empty());
  ASSERT_EQ(out.chunks.size(), 2u);
  EXPECT_FALSE(out.chunks[0].keyframe);
  EXPECT_TRUE(video_times(muxer, out.chunks[0]).empty());
  EXPECT_EQ(muxer.dropped_frames(), 30u);
  EXPECT_TRUE(out.chunks[1].keyframe);
  EXPECT_EQ(video_times(muxer, out.chunks[1]).size(), 30u);
}

TEST(FrameMuxerBadInput, EmptyAndOversizedFramesAreRefused) {
  media::MuxerConfig config;
  config.max_frame_bytes = 1000;
  config.max_chunk_bytes = 4000;
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360), config);
  mux(muxer, {video(0, true)}, false);
  EXPECT_EQ(refused(muxer, {FrameTrack::kAudio, 10'000, true, false, {}}).code, MuxErrorCode::kEmptyFrame);
  EXPECT_EQ(refused(muxer, video(33'000, false, 1001)).code, MuxErrorCode::kFrameTooLarge);
  // A keyframe brings video back; then the chunk fills up.
  mux(muxer, {video(66'000, false, 1000)}, false);
  EXPECT_EQ(muxer.dropped_frames(), 1u);
  ScriptFrame key = video(100'000, false, 1000);
  key.keyframe = true;
  for (int i = 0; i < 3; ++i) {
    key.timestamp_us += 33'000;
    ASSERT_TRUE(mux(muxer, {key}, false).errors.empty());
  }
  EXPECT_EQ(refused(muxer, video(300'000, false, 1000)).code, MuxErrorCode::kChunkTooLarge);
  // An oversized boundary frame still cuts, and its chunk has no keyframe.
  Muxed out = mux(muxer, {video(1'000'000, true, 1001)}, false);
  ASSERT_EQ(out.errors.size(), 1u);
  EXPECT_EQ(out.errors[0].code, MuxErrorCode::kFrameTooLarge);
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(video_times(muxer, out.chunks[0]), (std::vector<std::int64_t>{0, 133, 166, 199}));
  collect(muxer.finish(), out);
  EXPECT_EQ(out.chunks.back().start.value, 1000);
  EXPECT_FALSE(out.chunks.back().keyframe);
}

TEST(FrameMuxerBadInput, TimestampsOutOfRangeAreRefused) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  EXPECT_EQ(refused(muxer, video(-1, true)).code, MuxErrorCode::kTimestampOutOfRange);
  EXPECT_EQ(refused(muxer, video((media::kMaxTimestampMs + 1) * 1000, true)).code, MuxErrorCode::kTimestampOutOfRange);
  EXPECT_EQ(refused(muxer, video(std::numeric_limits<std::int64_t>::max(), true)).code,
            MuxErrorCode::kTimestampOutOfRange);
  // The largest time a Cluster Timecode is allowed to hold still works.
  const Muxed out = mux(muxer, {video(media::kMaxTimestampMs * 1000, true)});
  ASSERT_EQ(out.chunks.size(), 1u);
  EXPECT_EQ(read_chunk(muxer, out.chunks[0]).clusters.at(0).timecode, static_cast<std::uint64_t>(media::kMaxTimestampMs));
}

TEST(FrameMuxerBadInput, AudioForAVideoOnlyRenditionIsRefused) {
  media::FrameMuxer muxer = make_muxer(vp8_rendition(320, 180, false));
  mux(muxer, {video(0, true)}, false);
  EXPECT_EQ(refused(muxer, audio(10'000)).code, MuxErrorCode::kNoSuchTrack);
}

TEST(FrameMuxerBadInput, AudioTooFarBeforeItsChunkIsRefusedAsLate) {
  // The audio encoder fell 40 s behind: its packets are in order on their own track
  // but no relative timecode reaches back to them.
  media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360));
  mux(muxer, {video(40'000'000, true)}, false);
  EXPECT_EQ(refused(muxer, audio(1'000'000)).code, MuxErrorCode::kLateFrame);
  // A little behind is kept, at a negative relative timecode.
  const Muxed out = mux(muxer, {audio(39'990'000)});
  ASSERT_TRUE(out.errors.empty());
  EXPECT_EQ(read_chunk(muxer, out.chunks.at(0)).blocks().back().time, 39990);
}

TEST(FrameMuxerBadInput, RandomFramesNeverCrashAndEveryChunkReadsBack) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    std::mt19937 rng(seed);
    media::MuxerConfig config;
    config.max_frame_bytes = 2000;
    config.max_chunk_bytes = 20000;
    media::FrameMuxer muxer = make_muxer(vp8_rendition(640, 360), config);
    std::vector<ScriptFrame> frames;
    std::int64_t now = 0;
    for (int i = 0; i < 3000; ++i) {
      now += static_cast<std::int64_t>(rng() % 4000) * 1000 - 500'000;  // mostly forward, sometimes back, long gaps
      const unsigned flags = rng();
      frames.push_back({flags & 1 ? FrameTrack::kAudio : FrameTrack::kVideo, (flags & 0x30) == 0x30 ? -now : now,
                        (flags & 6) == 6, (flags & 0x18) == 0x18, frame_bytes(seed, i, rng() % 2200)});
    }
    const Muxed out = mux(muxer, frames);
    ASSERT_FALSE(out.chunks.empty()) << seed;
    for (const media::MediaChunk& chunk : out.chunks) {
      const ReadWebm read = read_chunk(muxer, chunk);
      EXPECT_TRUE(read.parsed) << seed;
      EXPECT_EQ(read.clusters.size(), 1u) << seed;
      EXPECT_LE(chunk.bytes.size(), config.max_chunk_bytes) << seed;
    }
  }
}

}  // namespace
}  // namespace swarmcast::test
