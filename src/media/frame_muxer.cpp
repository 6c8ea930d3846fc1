#include "media/frame_muxer.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "common/webmids.h"
#include "media/byte_vector_writer.hpp"
#include "media/chunk_assembler.hpp"
#include "media/init_writer.hpp"
#include "mkvmuxer/mkvmuxerutil.h"

namespace swarmcast::media {
namespace {

// A SimpleBlock's or Block's content before the frame: track number (a 1-byte vint for
// tracks 1-126), 16-bit relative timecode, flags.
constexpr std::uint64_t kBlockHeaderBytes = 4;
constexpr std::int64_t kKeyframeFlag = 0x80;
// A block's bytes besides the frame, at most: a BlockGroup's ID and 8-byte size, its
// Block's, the header, a BlockDuration and a ReferenceBlock (ID, size, 8-byte value).
constexpr std::uint64_t kMaxBlockOverhead = 2 * (1 + 8) + kBlockHeaderBytes + 2 * (1 + 1 + 8);

void write_simple_block(ByteVector& out, std::uint64_t track, std::int64_t relative_ms, bool keyframe, ByteView frame) {
  ByteVectorWriter writer(out);
  mkvmuxer::WriteID(&writer, libwebm::kMkvSimpleBlock);
  mkvmuxer::WriteUInt(&writer, kBlockHeaderBytes + frame.size());
  mkvmuxer::WriteUInt(&writer, track);
  mkvmuxer::SerializeInt(&writer, relative_ms, 2);
  mkvmuxer::SerializeInt(&writer, keyframe ? kKeyframeFlag : 0, 1);
  writer.write(frame);
}

std::string describe_time(const EncodedFrame& frame) {
  return std::string(frame.track == FrameTrack::kVideo ? "video" : "audio") + " frame at " +
         std::to_string(frame.timestamp_us) + " us";
}

}  // namespace

Result<FrameMuxer, MuxError> FrameMuxer::create(const RenditionSpec& spec, MuxerConfig config) {
  auto init = write_init_segment(spec, config.epoch);
  if (!init.ok()) return Failure{init.error()};
  return FrameMuxer(std::move(init).value(), config);
}

FrameMuxer::FrameMuxer(InitSegment init, MuxerConfig config)
    : init_(std::move(init)), config_(config), next_seq_(config.first_seq.value) {}

std::vector<MuxEvent> FrameMuxer::push(const EncodedFrame& frame) {
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  const bool video = frame.track == FrameTrack::kVideo;
  if (!video && init_.audio.codec_id.empty())
    return refuse(frame, {MuxErrorCode::kNoSuchTrack, "audio packet for a rendition without audio"});
  if (frame.timestamp_us < 0 || frame.timestamp_us / 1000 > kMaxTimestampMs)
    return refuse(frame, {MuxErrorCode::kTimestampOutOfRange, describe_time(frame)});
  std::optional<std::int64_t>& last_us = video ? last_video_us_ : last_audio_us_;
  if (last_us && frame.timestamp_us < *last_us)
    return refuse(frame, {MuxErrorCode::kOutOfOrder,
                          describe_time(frame) + " after one at " + std::to_string(*last_us) + " us"});
  last_us = frame.timestamp_us;
  const std::int64_t ms = frame.timestamp_us / 1000;
  const std::optional<MuxError> error = check(frame, ms);

  std::vector<MuxEvent> events;
  if (video && frame.chunk_boundary) {
    // A boundary in time order cuts even when its frame is refused: chunk k then still
    // starts at the same time as in the other renditions, with its video held back. A
    // delta frame opens a chunk within a group of pictures (the caller asks for a
    // keyframe only every few chunks): played after the chunk before it, it decodes;
    // joiners and switches wait for a chunk that opens on a keyframe.
    open_chunk(ms, !error && frame.keyframe, events, ms);
    if (error) {
      video_held_ = true;
      events.push_back(*error);
      return events;
    }
    if (video_held_ && !frame.keyframe) {
      ++dropped_frames_;
      return events;
    }
  } else if (!chunk_ || (video && video_held_ && !frame.keyframe)) {
    ++dropped_frames_;
    return events;
  } else if (error) {
    return refuse(frame, *error);
  } else if (ms - chunk_->start_ms > kMaxRelativeTicks) {
    open_chunk(ms, video && frame.keyframe, events, video ? std::optional(ms) : std::nullopt);
  }
  if (video) {
    video_held_ = false;
    if (last_video_ms_ && ms > *last_video_ms_) last_video_gap_ms_ = ms - *last_video_ms_;
    last_video_ms_ = ms;
  }
  append_block(frame, ms);
  return events;
}

std::vector<MuxEvent> FrameMuxer::finish() {
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  std::vector<MuxEvent> events;
  if (chunk_) events.push_back(close_chunk(last_video_ms_.value_or(0) + last_video_gap_ms_, std::nullopt));
  return events;
}

ByteView FrameMuxer::appended() const {
  if (!chunk_) return {};
  return ByteView(chunk_->bytes).subspan(std::min(appended_from_, chunk_->bytes.size()));
}

std::optional<MuxError> FrameMuxer::check(const EncodedFrame& frame, std::int64_t ms) const {
  if (frame.bytes.empty()) return MuxError{MuxErrorCode::kEmptyFrame, describe_time(frame)};
  if (frame.bytes.size() > config_.max_frame_bytes)
    return MuxError{MuxErrorCode::kFrameTooLarge,
                    describe_time(frame) + " has " + std::to_string(frame.bytes.size()) + " bytes"};
  // A boundary, or a frame beyond a relative timecode's reach, opens a chunk of its own.
  if (!chunk_ || (frame.track == FrameTrack::kVideo && frame.chunk_boundary)) return std::nullopt;
  const std::int64_t relative = ms - chunk_->start_ms;
  if (relative > kMaxRelativeTicks) return std::nullopt;
  if (relative < kMinRelativeTicks)
    return MuxError{MuxErrorCode::kLateFrame, describe_time(frame) + " is before its chunk's start by more than 32.768 s"};
  const std::size_t held = chunk_->last_video ? chunk_->last_video->bytes.size() + kMaxBlockOverhead + chunk_->after_last_video.size() : 0;
  if (chunk_->bytes.size() + held + frame.bytes.size() + kMaxBlockOverhead > config_.max_chunk_bytes)
    return MuxError{MuxErrorCode::kChunkTooLarge, describe_time(frame) + " would take its chunk above " +
                                                      std::to_string(config_.max_chunk_bytes) + " bytes"};
  return std::nullopt;
}

void FrameMuxer::open_chunk(std::int64_t start_ms, bool keyframe, std::vector<MuxEvent>& events,
                            std::optional<std::int64_t> next_video_ms) {
  if (chunk_) events.push_back(close_chunk(start_ms, next_video_ms));
  chunk_.emplace();
  chunk_->seq = ChunkSeq{next_seq_++};
  chunk_->start_ms = start_ms;
  chunk_->keyframe = keyframe;
  appended_from_ = 0;
  // Room for a chunk like the last one and a quarter more: the bytes are not copied
  // again at each doubling as the chunk grows, and the memory an open chunk holds stays
  // about one chunk's worth instead of stepping between a half and a whole.
  chunk_->bytes.reserve(last_chunk_bytes_ + last_chunk_bytes_ / 4);
  ByteVectorWriter writer(chunk_->bytes);
  // Memory writes cannot fail and every value is in range: the statuses carry nothing.
  mkvmuxer::WriteID(&writer, libwebm::kMkvCluster);
  mkvmuxer::SerializeInt(&writer, static_cast<mkvmuxer::int64>(mkvmuxer::kEbmlUnknownValue), 8);
  mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvTimecode, static_cast<mkvmuxer::uint64>(start_ms));
}

MediaChunk FrameMuxer::close_chunk(std::int64_t end_ms, std::optional<std::int64_t> next_video_ms) {
  if (chunk_->last_video) {
    // The chunk's last video frame lasts until the next one; when that is not known
    // (the stream ended, or an audio packet cut the chunk), as long as the one before.
    const std::int64_t until = next_video_ms.value_or(chunk_->last_video->ms + last_video_gap_ms_);
    write_held(std::max<std::int64_t>(1, until - chunk_->last_video->ms));
  }
  MediaChunk out;
  out.seq = chunk_->seq;
  out.epoch = config_.epoch;
  out.start = TimeMs{chunk_->start_ms};
  out.duration_ms = static_cast<std::uint32_t>(std::clamp<std::int64_t>(
      end_ms - chunk_->start_ms, 0, std::numeric_limits<std::uint32_t>::max()));
  out.keyframe = chunk_->keyframe;
  last_chunk_bytes_ = chunk_->bytes.size();
  out.bytes = std::move(chunk_->bytes);
  chunk_.reset();
  return out;
}

void FrameMuxer::append_block(const EncodedFrame& frame, std::int64_t ms) {
  if (frame.track == FrameTrack::kAudio) {
    // Behind a held video frame, audio waits with it: blocks stay in the order pushed.
    write_simple_block(chunk_->last_video ? chunk_->after_last_video : chunk_->bytes, kAudioTrackNumber,
                       ms - chunk_->start_ms, frame.keyframe, frame.bytes);
    return;
  }
  write_held(std::nullopt);
  HeldVideo& held = chunk_->last_video.emplace();
  held.bytes.swap(spare_video_bytes_);
  held.bytes.assign(frame.bytes.begin(), frame.bytes.end());
  held.ms = ms;
  held.keyframe = frame.keyframe;
  held.reference_ms = ms - std::max<std::int64_t>(1, last_video_gap_ms_);
}

void FrameMuxer::write_held(std::optional<std::int64_t> duration_ms) {
  if (!chunk_->last_video) return;
  HeldVideo& held = *chunk_->last_video;
  const std::int64_t relative = held.ms - chunk_->start_ms;
  if (!duration_ms) {
    write_simple_block(chunk_->bytes, kVideoTrackNumber, relative, held.keyframe, held.bytes);
  } else {
    // The chunk's last video frame says how long it lasts, so a player that takes the
    // chunks one by one knows where it ends. Without it Firefox guesses short, sees a
    // gap before the next chunk and, when that one opens on a delta frame, drops all
    // of it up to the next keyframe.
    ByteVector block;
    ByteVectorWriter block_writer(block);
    mkvmuxer::WriteUInt(&block_writer, kVideoTrackNumber);
    mkvmuxer::SerializeInt(&block_writer, relative, 2);
    mkvmuxer::SerializeInt(&block_writer, 0, 1);  // a Block's flags carry no keyframe bit
    const auto duration = static_cast<mkvmuxer::uint64>(*duration_ms);
    // A delta frame names the frame before it; a BlockGroup without one is a keyframe.
    const bool delta = !held.keyframe;
    const mkvmuxer::int64 reference = held.reference_ms - held.ms;
    const mkvmuxer::uint64 group_size =
        mkvmuxer::EbmlMasterElementSize(libwebm::kMkvBlock, block.size() + held.bytes.size()) + block.size() +
        held.bytes.size() + mkvmuxer::EbmlElementSize(libwebm::kMkvBlockDuration, duration) +
        (delta ? mkvmuxer::EbmlElementSize(libwebm::kMkvReferenceBlock, reference) : 0);
    ByteVectorWriter writer(chunk_->bytes);
    mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvBlockGroup, group_size);
    mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvBlock, block.size() + held.bytes.size());
    writer.write(block);
    writer.write(held.bytes);
    mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvBlockDuration, duration);
    if (delta) mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvReferenceBlock, reference);
  }
  chunk_->bytes.insert(chunk_->bytes.end(), chunk_->after_last_video.begin(), chunk_->after_last_video.end());
  chunk_->after_last_video.clear();
  spare_video_bytes_ = std::move(held.bytes);
  chunk_->last_video.reset();
}

std::vector<MuxEvent> FrameMuxer::refuse(const EncodedFrame& frame, MuxError error) {
  if (frame.track == FrameTrack::kVideo) video_held_ = true;
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  return {std::move(error)};
}

}  // namespace swarmcast::media
