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

// A SimpleBlock's content before the frame: track number (a 1-byte vint for tracks
// 1-126), 16-bit relative timecode, flags.
constexpr std::uint64_t kBlockHeaderBytes = 4;
constexpr std::int64_t kKeyframeFlag = 0x80;
// A SimpleBlock's bytes besides the frame, at most: its ID, an 8-byte size, the header.
constexpr std::uint64_t kMaxBlockOverhead = 1 + 8 + kBlockHeaderBytes;

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
    open_chunk(ms, !error && frame.keyframe, events);
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
    open_chunk(ms, video && frame.keyframe, events);
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
  if (chunk_) events.push_back(close_chunk(last_video_ms_.value_or(0) + last_video_gap_ms_));
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
  if (chunk_->bytes.size() + frame.bytes.size() + kMaxBlockOverhead > config_.max_chunk_bytes)
    return MuxError{MuxErrorCode::kChunkTooLarge, describe_time(frame) + " would take its chunk above " +
                                                      std::to_string(config_.max_chunk_bytes) + " bytes"};
  return std::nullopt;
}

void FrameMuxer::open_chunk(std::int64_t start_ms, bool keyframe, std::vector<MuxEvent>& events) {
  if (chunk_) events.push_back(close_chunk(start_ms));
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

MediaChunk FrameMuxer::close_chunk(std::int64_t end_ms) {
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
  const bool video = frame.track == FrameTrack::kVideo;
  ByteVectorWriter writer(chunk_->bytes);
  mkvmuxer::WriteID(&writer, libwebm::kMkvSimpleBlock);
  mkvmuxer::WriteUInt(&writer, kBlockHeaderBytes + frame.bytes.size());
  mkvmuxer::WriteUInt(&writer, video ? kVideoTrackNumber : kAudioTrackNumber);
  mkvmuxer::SerializeInt(&writer, ms - chunk_->start_ms, 2);
  mkvmuxer::SerializeInt(&writer, frame.keyframe ? kKeyframeFlag : 0, 1);
  writer.write(frame.bytes);
}

std::vector<MuxEvent> FrameMuxer::refuse(const EncodedFrame& frame, MuxError error) {
  if (frame.track == FrameTrack::kVideo) video_held_ = true;
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  return {std::move(error)};
}

}  // namespace swarmcast::media
