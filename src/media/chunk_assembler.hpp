// Where a chunk ends, decided block by block over plain data: the segmenter parses and
// hands over each complete SimpleBlock or BlockGroup; this says when the blocks held so
// far close a chunk. Kept apart from the parsing so the rules are tested alone.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "media/init_segment.hpp"

namespace swarmcast::media {

// A SimpleBlock or a BlockGroup, kept as where its bytes are in the pushed stream.
struct BlockRef {
  ByteRange bytes;                 // the whole element, its header included
  std::uint64_t timecode_at = 0;   // where the (Simple)Block's 16-bit relative timecode sits
  std::int64_t ticks = 0;          // Cluster Timecode + relative timecode, in TimecodeScale units
  std::int64_t ms = 0;             // the same in milliseconds
  bool timing = false;             // on the track that times the stream: video, else audio
  bool keyframe = false;           // a video keyframe; every block of an audio-only stream
};

// The rules, in milliseconds (see SegmenterConfig).
struct CutRules {
  std::int64_t target_ms = 1000;
  std::int64_t max_duration_ms = 1250;
  std::uint64_t max_bytes = 4u << 20;
  bool has_video = true;
};

enum class CutReason {
  kKeyframe,        // a keyframe once the chunk is >= 80 % of the target, or ends a chunk without one
  kDuration,        // a video frame once the chunk is max_duration_ms long and no keyframe came
  kBytes,           // any block once the chunk holds max_bytes
  kTimecodeReach,   // any block whose time a 16-bit relative timecode cannot reach from the chunk's start
  kEndOfMedia,      // the epoch's media ended
};

// A chunk's blocks in stream order, written as one Cluster whose Timecode is start_ticks.
struct ClosedChunk {
  std::vector<BlockRef> blocks;
  std::int64_t start_ticks = 0;
  std::int64_t start_ms = 0;
  std::int64_t end_ms = 0;
  bool keyframe = false;  // its first timing block is a keyframe
  CutReason reason = CutReason::kEndOfMedia;
};

// The range of a Block's relative timecode.
inline constexpr std::int64_t kMinRelativeTicks = -32768;
inline constexpr std::int64_t kMaxRelativeTicks = 32767;

class ChunkAssembler {
 public:
  explicit ChunkAssembler(CutRules rules) : rules_(rules) {}

  // A block begins (in stream order; every block before it is complete): returns the
  // chunk it closes, if any. The block itself goes into the next one, once keep()
  // says it is complete; a block that never completes is left out.
  std::optional<ClosedChunk> open(const BlockRef& block);
  void keep(const BlockRef& block);
  std::optional<ClosedChunk> add(const BlockRef& block) {
    auto closed = open(block);
    keep(block);
    return closed;
  }
  // The epoch's media is over: the chunk held so far, lasting until its last frame ends.
  std::optional<ClosedChunk> finish();

  std::uint64_t held_bytes() const { return bytes_; }
  // Where the first held block begins; nullopt when none is held.
  std::optional<std::uint64_t> held_from() const;

 private:
  std::optional<CutReason> cut_before(const BlockRef& block) const;
  ClosedChunk close(std::int64_t end_ms, CutReason reason);
  void start_at(std::int64_t ticks, std::int64_t ms);

  CutRules rules_;
  std::vector<BlockRef> blocks_;
  std::uint64_t bytes_ = 0;
  std::int64_t start_ticks_ = 0, start_ms_ = 0;
  std::optional<bool> first_timing_keyframe_;
  std::optional<std::int64_t> last_timing_ms_;
  std::int64_t last_frame_gap_ms_ = 0;
};

}  // namespace swarmcast::media
