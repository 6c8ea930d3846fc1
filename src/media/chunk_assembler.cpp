#include "media/chunk_assembler.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

namespace swarmcast::media {

std::optional<ClosedChunk> ChunkAssembler::open(const BlockRef& block) {
  std::optional<ClosedChunk> closed;
  if (const std::optional<CutReason> reason = cut_before(block)) {
    // Audio muxed just before the video frame that ends the chunk, but timed at or after
    // it, plays with that frame: it moves to the next chunk. Only a trailing run moves,
    // so the blocks keep their stream order.
    std::vector<BlockRef> carried;
    if (*reason == CutReason::kKeyframe || *reason == CutReason::kDuration) {
      auto tail = blocks_.end();
      while (tail != blocks_.begin() && !std::prev(tail)->timing && std::prev(tail)->ms >= block.ms) --tail;
      if (tail != blocks_.begin()) {
        carried.assign(tail, blocks_.end());
        blocks_.erase(tail, blocks_.end());
        for (const BlockRef& moved : carried) bytes_ -= moved.bytes.end - moved.bytes.begin;
      }
    }
    // Chunks follow each other in time: the next one starts where this one ends, at the
    // block, or at this chunk's start for a block timed before it (late audio cut by
    // bytes). Only a block out of timecode reach starts a chunk wherever it lies.
    const bool before = block.ticks < start_ticks_ && *reason != CutReason::kTimecodeReach;
    const std::int64_t next_ticks = before ? start_ticks_ : block.ticks;
    const std::int64_t next_ms = before ? start_ms_ : block.ms;
    closed = close(next_ms, *reason);
    start_at(next_ticks, next_ms);
    for (const BlockRef& moved : carried) {
      blocks_.push_back(moved);
      bytes_ += moved.bytes.end - moved.bytes.begin;
    }
  } else if (blocks_.empty()) {
    start_at(block.ticks, block.ms);
  }
  return closed;
}

void ChunkAssembler::keep(const BlockRef& block) {
  blocks_.push_back(block);
  bytes_ += block.bytes.end - block.bytes.begin;
  if (block.timing) {
    if (!first_timing_keyframe_) first_timing_keyframe_ = block.keyframe;
    if (last_timing_ms_ && block.ms > *last_timing_ms_) last_frame_gap_ms_ = block.ms - *last_timing_ms_;
    last_timing_ms_ = block.ms;
  }
}

std::optional<ClosedChunk> ChunkAssembler::finish() {
  if (blocks_.empty()) return std::nullopt;
  const std::int64_t end_ms = last_timing_ms_ ? *last_timing_ms_ + last_frame_gap_ms_ : start_ms_;
  return close(std::max(end_ms, start_ms_), CutReason::kEndOfMedia);
}

std::optional<std::uint64_t> ChunkAssembler::held_from() const {
  if (blocks_.empty()) return std::nullopt;
  return blocks_.front().bytes.begin;
}

std::optional<CutReason> ChunkAssembler::cut_before(const BlockRef& block) const {
  if (blocks_.empty()) return std::nullopt;
  const std::int64_t relative = block.ticks - start_ticks_;
  if (relative < kMinRelativeTicks || relative > kMaxRelativeTicks) return CutReason::kTimecodeReach;
  if (bytes_ >= rules_.max_bytes) return CutReason::kBytes;
  if (!block.timing) return std::nullopt;
  const std::int64_t elapsed = block.ms - start_ms_;
  // Encoders jitter keyframes by a frame or two around the requested interval: a
  // slightly early one must not double the chunk. A chunk that does not open with a
  // keyframe (cut by duration or bytes) ends at the next one whatever its length, so
  // that every keyframe opens a chunk a viewer can join at.
  if (block.keyframe && (elapsed * 5 >= rules_.target_ms * 4 || first_timing_keyframe_ == false))
    return CutReason::kKeyframe;
  if (rules_.has_video && elapsed >= rules_.max_duration_ms) return CutReason::kDuration;
  return std::nullopt;
}

ClosedChunk ChunkAssembler::close(std::int64_t end_ms, CutReason reason) {
  ClosedChunk out;
  out.blocks = std::exchange(blocks_, {});
  out.start_ticks = start_ticks_;
  out.start_ms = start_ms_;
  out.end_ms = std::max(end_ms, start_ms_);
  out.keyframe = first_timing_keyframe_.value_or(!rules_.has_video);
  out.reason = reason;
  bytes_ = 0;
  first_timing_keyframe_.reset();
  return out;
}

void ChunkAssembler::start_at(std::int64_t ticks, std::int64_t ms) {
  // A Cluster Timecode is unsigned: a block timed before 0 (a negative relative
  // timecode in the stream's first Cluster) stays reachable from 0.
  start_ticks_ = std::max<std::int64_t>(ticks, 0);
  start_ms_ = ticks < 0 ? 0 : ms;
}

}  // namespace swarmcast::media
