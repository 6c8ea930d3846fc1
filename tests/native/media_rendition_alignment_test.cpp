// Renditions fed the same frames cut chunk k at the same moment; the alignment check
// says when one does not.
#include <gtest/gtest.h>

#include "media/rendition_alignment.hpp"
#include "media_blocks.hpp"
#include "media_mux_fixtures.hpp"

namespace swarmcast::test {
namespace {

using media::MuxErrorCode;

TEST(RenditionAlignment, TwoRenditionsFedTheSameCaptureGiveAlignedChunks) {
  // 360p and 180p: different frame bytes, the same timestamps, boundaries and audio.
  media::FrameMuxer high = make_muxer(vp8_rendition(640, 360), {Epoch{0}, ChunkSeq{7}});
  media::FrameMuxer low = make_muxer(vp8_rendition(320, 180), {Epoch{0}, ChunkSeq{7}});
  const Muxed h = mux(high, capture_script(5.0, 0, 12'345'000));
  const Muxed l = mux(low, capture_script(5.0, 1, 12'345'000));
  ASSERT_EQ(h.chunks.size(), 5u);
  ASSERT_EQ(l.chunks.size(), h.chunks.size());

  media::RenditionAlignment alignment(34);
  for (std::size_t i = 0; i < h.chunks.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(h.chunks[i].seq, l.chunks[i].seq);
    EXPECT_EQ(h.chunks[i].start, l.chunks[i].start);
    EXPECT_EQ(h.chunks[i].duration_ms, l.chunks[i].duration_ms);
    EXPECT_NE(h.chunks[i].bytes, l.chunks[i].bytes);
    EXPECT_TRUE(alignment.check(0, h.chunks[i].seq, h.chunks[i].start).ok());
    EXPECT_TRUE(alignment.check(1, l.chunks[i].seq, l.chunks[i].start).ok());
    // The same audio in both: a switch between them keeps the sound.
    std::vector<ReadBlock> high_audio, low_audio;
    for (const ReadBlock& b : read_chunk(high, h.chunks[i]).blocks())
      if (b.track == media::kAudioTrackNumber) high_audio.push_back(b);
    for (const ReadBlock& b : read_chunk(low, l.chunks[i]).blocks())
      if (b.track == media::kAudioTrackNumber) low_audio.push_back(b);
    EXPECT_EQ(high_audio.size(), 50u);
    EXPECT_EQ(high_audio, low_audio);
  }
}

TEST(RenditionAlignment, AChunkStartingMoreThanAFrameApartIsMisaligned) {
  media::RenditionAlignment alignment(34);
  EXPECT_TRUE(alignment.check(0, ChunkSeq{10}, TimeMs{10'000}).ok());
  EXPECT_TRUE(alignment.check(1, ChunkSeq{10}, TimeMs{10'033}).ok());  // a frame late: within tolerance
  EXPECT_TRUE(alignment.check(2, ChunkSeq{10}, TimeMs{9'966}).ok());
  const auto late = alignment.check(2, ChunkSeq{10}, TimeMs{10'100});
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, MuxErrorCode::kMisaligned);
  EXPECT_FALSE(late.error().fatal);
  EXPECT_NE(late.error().detail.find("rendition 2"), std::string::npos);
  EXPECT_NE(late.error().detail.find("rendition 0"), std::string::npos);
  // Chunks may be reported in any order across renditions.
  EXPECT_TRUE(alignment.check(1, ChunkSeq{12}, TimeMs{12'000}).ok());
  EXPECT_TRUE(alignment.check(0, ChunkSeq{11}, TimeMs{11'000}).ok());
  EXPECT_FALSE(alignment.check(0, ChunkSeq{12}, TimeMs{11'000}).ok());
  EXPECT_TRUE(alignment.check(1, ChunkSeq{11}, TimeMs{11'010}).ok());
}

TEST(RenditionAlignment, ARenditionWhoseBoundaryCameAFewFramesLateIsCaught) {
  // The 180p encoder got its chunk 2 keyframe request 3 frames late.
  media::FrameMuxer high = make_muxer(vp8_rendition(640, 360));
  media::FrameMuxer low = make_muxer(vp8_rendition(320, 180));
  std::vector<ScriptFrame> late = capture_script(3.0, 1);
  for (ScriptFrame& f : late) {
    if (!f.video()) continue;
    const bool boundary = f.timestamp_us == 2'000'000 ? false : f.timestamp_us == 2'100'000 || f.boundary;
    f.boundary = f.keyframe = boundary;
  }
  const Muxed h = mux(high, capture_script(3.0));
  const Muxed l = mux(low, late);
  ASSERT_EQ(h.chunks.size(), 3u);
  ASSERT_EQ(l.chunks.size(), 3u);
  media::RenditionAlignment alignment(34);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(alignment.check(0, h.chunks[i].seq, h.chunks[i].start).ok());
    const auto result = alignment.check(1, l.chunks[i].seq, l.chunks[i].start);
    EXPECT_EQ(result.ok(), i != 2) << i;
  }
}

TEST(RenditionAlignment, OnlyTheNewestChunkNumbersAreRemembered) {
  media::RenditionAlignment alignment(34, 4);
  for (std::uint64_t seq = 0; seq < 10; ++seq)
    EXPECT_TRUE(alignment.check(0, ChunkSeq{seq}, TimeMs{1000 * static_cast<std::int64_t>(seq)}).ok());
  EXPECT_FALSE(alignment.check(1, ChunkSeq{9}, TimeMs{0}).ok());
  EXPECT_FALSE(alignment.check(1, ChunkSeq{6}, TimeMs{0}).ok());
  EXPECT_TRUE(alignment.check(1, ChunkSeq{2}, TimeMs{0}).ok());  // forgotten: cannot be checked
}

}  // namespace
}  // namespace swarmcast::test
