// Where chunks end, over blocks written as short literals: "K" a video keyframe, "v" a
// video frame, "a" an audio frame, each with its time in ms (1 tick = 1 ms here).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "media/chunk_assembler.hpp"

namespace swarmcast::test {
namespace {

using media::BlockRef;
using media::ChunkAssembler;
using media::ClosedChunk;
using media::CutReason;
using media::CutRules;

struct Frame {
  char kind;  // 'K', 'v' or 'a'
  std::int64_t ms;
};

// Each block 100 bytes long, back to back; `audio_only`: audio times the stream.
std::vector<ClosedChunk> assemble(const std::vector<Frame>& frames, CutRules rules = {}) {
  ChunkAssembler assembler(rules);
  std::vector<ClosedChunk> out;
  std::uint64_t at = 0;
  for (const Frame& f : frames) {
    BlockRef block;
    block.bytes = {at, at + 100};
    block.timecode_at = at + 5;
    block.ticks = block.ms = f.ms;
    block.timing = rules.has_video ? f.kind != 'a' : true;
    block.keyframe = f.kind == 'K' || !rules.has_video;
    at += 100;
    if (auto closed = assembler.add(block)) out.push_back(std::move(*closed));
  }
  if (auto last = assembler.finish()) out.push_back(std::move(*last));
  return out;
}

// 30 fps video with a keyframe every `gop_ms`, and 20 ms audio frames muxed in time order.
std::vector<Frame> video_and_audio(std::int64_t seconds_ms, std::int64_t gop_ms) {
  std::vector<Frame> frames;
  std::int64_t next_audio = 0;
  for (std::int64_t i = 0; i * 100 / 3 < seconds_ms; ++i) {
    const std::int64_t t = i * 100 / 3;
    while (next_audio < t) frames.push_back({'a', std::exchange(next_audio, next_audio + 20)});
    frames.push_back({t % gop_ms < 33 ? 'K' : 'v', t});
  }
  return frames;
}

std::string kinds(const ClosedChunk& chunk) {
  std::string out;
  for (const BlockRef& b : chunk.blocks) out += b.timing ? (b.keyframe ? 'K' : 'v') : 'a';
  return out;
}

void expect_contiguous(const std::vector<ClosedChunk>& chunks) {
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) EXPECT_EQ(chunks[i].end_ms, chunks[i + 1].start_ms) << "chunk " << i;
}

TEST(ChunkAssembler, KeyframesEverySecondCutOneSecondChunksThatOpenWithThem) {
  const auto chunks = assemble(video_and_audio(5000, 1000));
  ASSERT_EQ(chunks.size(), 5u);
  for (const auto& chunk : chunks) {
    EXPECT_TRUE(chunk.keyframe);
    EXPECT_EQ(kinds(chunk).front(), 'K');
    EXPECT_NEAR(chunk.end_ms - chunk.start_ms, 1000, 34);
  }
  expect_contiguous(chunks);
}

TEST(ChunkAssembler, SparseKeyframesGiveTargetLongChunksWithoutKeyframe) {
  // Firefox's recorder: a keyframe every ~10 s whatever it is asked.
  const auto chunks = assemble(video_and_audio(20000, 10000));
  ASSERT_GE(chunks.size(), 14u);
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    const auto& chunk = chunks[i];
    EXPECT_LE(chunk.end_ms - chunk.start_ms, 1250 + 34) << "chunk " << i;
    const bool opens_gop = chunk.start_ms % 10000 < 33;
    EXPECT_EQ(chunk.keyframe, opens_gop) << "chunk " << i;
    if (i + 1 < chunks.size()) {
      const bool next_opens_gop = chunks[i + 1].start_ms % 10000 < 33;
      EXPECT_EQ(chunk.reason, next_opens_gop ? CutReason::kKeyframe : CutReason::kDuration) << "chunk " << i;
    }
  }
  // Every keyframe opens a chunk, however short the chunk before it.
  for (const auto& chunk : chunks)
    for (std::size_t b = 1; b < chunk.blocks.size(); ++b) EXPECT_FALSE(chunk.blocks[b].keyframe && chunk.blocks[b].timing);
  expect_contiguous(chunks);
}

TEST(ChunkAssembler, AKeyframeBefore80PercentOfTheTargetStaysInside) {
  const auto chunks = assemble({{'K', 0}, {'v', 400}, {'K', 700}, {'v', 750}, {'K', 800}, {'v', 900}});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(kinds(chunks[0]), "KvKv");
  EXPECT_EQ(kinds(chunks[1]), "Kv");
  EXPECT_EQ(chunks[0].reason, CutReason::kKeyframe);
  EXPECT_EQ(chunks[1].start_ms, 800);
}

TEST(ChunkAssembler, AudioTimedAtOrAfterTheCutGoesWithTheFrameItIsCutAt) {
  // Audio at 990 stays (before the cut at 1000); audio at 1000 and 1010, muxed before
  // the keyframe, moves with it; audio at 995, muxed after it, stays with it.
  const auto chunks = assemble({{'K', 0}, {'a', 980}, {'a', 990}, {'a', 1000}, {'a', 1010}, {'K', 1000}, {'a', 995}, {'v', 1033}});
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(kinds(chunks[0]), "Kaa");
  EXPECT_EQ(kinds(chunks[1]), "aaKav");
  EXPECT_EQ(chunks[1].start_ms, 1000);
  EXPECT_EQ(chunks[1].start_ticks, 1000);
  EXPECT_TRUE(chunks[1].keyframe);
  expect_contiguous(chunks);
}

TEST(ChunkAssembler, TheByteCapCutsAtAnyBlockAndChunkStartsStayInOrder) {
  CutRules rules;
  rules.max_bytes = 200;
  rules.target_ms = rules.max_duration_ms = 60'000;
  const auto chunks = assemble({{'K', 0}, {'v', 33}, {'v', 66}, {'v', 100}, {'a', 60}, {'v', 133}}, rules);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(kinds(chunks[0]), "Kv");
  EXPECT_EQ(kinds(chunks[1]), "vv");
  EXPECT_EQ(kinds(chunks[2]), "av");
  EXPECT_EQ(chunks[0].reason, CutReason::kBytes);
  EXPECT_FALSE(chunks[1].keyframe);
  // An audio frame timed before the start of the chunk it ends (60 < 66) does not move
  // the next chunk's start back: it rides at a negative relative timecode.
  EXPECT_EQ(chunks[2].start_ms, 66);
  EXPECT_EQ(chunks[2].blocks[0].ticks - chunks[2].start_ticks, -6);
  expect_contiguous(chunks);
}

TEST(ChunkAssembler, NoChunkSpansMoreThanARelativeTimecodeReaches) {
  CutRules rules;
  rules.has_video = false;
  rules.target_ms = 100'000;
  std::vector<Frame> frames;
  for (std::int64_t t = 0; t <= 70'000; t += 5'000) frames.push_back({'a', t});
  const auto chunks = assemble(frames, rules);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].reason, CutReason::kTimecodeReach);
  for (const auto& chunk : chunks)
    for (const BlockRef& b : chunk.blocks) {
      EXPECT_GE(b.ticks - chunk.start_ticks, media::kMinRelativeTicks);
      EXPECT_LE(b.ticks - chunk.start_ticks, media::kMaxRelativeTicks);
    }
  EXPECT_EQ(chunks[1].start_ms, 35'000);
}

TEST(ChunkAssembler, AudioOnlyCutsByDurationAtAnyAudioBlock) {
  CutRules rules;
  rules.has_video = false;
  std::vector<Frame> frames;
  for (std::int64_t t = 0; t < 3000; t += 20) frames.push_back({'a', t});
  const auto chunks = assemble(frames, rules);
  ASSERT_EQ(chunks.size(), 4u);
  for (std::size_t i = 0; i + 1 < chunks.size(); ++i) {
    EXPECT_EQ(chunks[i].end_ms - chunks[i].start_ms, 800);
    EXPECT_TRUE(chunks[i].keyframe);
  }
}

TEST(ChunkAssembler, ABlockThatNeverCompletesIsLeftOut) {
  ChunkAssembler assembler(CutRules{});
  BlockRef key;
  key.bytes = {0, 100};
  key.timing = key.keyframe = true;
  assembler.add(key);
  BlockRef cut_short = key;
  cut_short.bytes = {100, 200};
  cut_short.ticks = cut_short.ms = 33;
  cut_short.keyframe = false;
  EXPECT_FALSE(assembler.open(cut_short));
  const auto last = assembler.finish();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->blocks.size(), 1u);
}

}  // namespace
}  // namespace swarmcast::test
