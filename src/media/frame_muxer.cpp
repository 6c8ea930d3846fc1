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

// A SimpleBlock's or a Block's content: the header (kBlockHeaderBytes), then the frame.
void write_block_content(ByteVectorWriter& writer, std::uint64_t track, std::int64_t relative_ms, std::int64_t flags,
                         ByteView frame) {
  mkvmuxer::WriteUInt(&writer, track);
  mkvmuxer::SerializeInt(&writer, relative_ms, 2);
  mkvmuxer::SerializeInt(&writer, flags, 1);
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
  if (video) video_held_ = false;
  TrackClock& clock = video ? video_clock_ : audio_clock_;
  if (clock.last_ms && ms > *clock.last_ms) clock.gap_ms = ms - *clock.last_ms;
  clock.last_ms = ms;
  append_block(frame, ms, clock.gap_ms);
  return events;
}

std::vector<MuxEvent> FrameMuxer::finish() {
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  std::vector<MuxEvent> events;
  if (!chunk_) return events;
  // Where its last frame of either track ends, each lasting as long as the one before.
  std::int64_t end_ms = chunk_->start_ms;
  for (const TrackClock* clock : {&video_clock_, &audio_clock_})
    if (clock->last_ms) end_ms = std::max(end_ms, *clock->last_ms + clock->gap_ms);
  events.push_back(close_chunk(end_ms, std::nullopt, std::nullopt));
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
  std::size_t pending = 0;
  for (const PendingFrame& f : chunk_->pending) pending += f.bytes.size() + kMaxBlockOverhead;
  if (chunk_->bytes.size() + pending + frame.bytes.size() + kMaxBlockOverhead > config_.max_chunk_bytes)
    return MuxError{MuxErrorCode::kChunkTooLarge, describe_time(frame) + " would take its chunk above " +
                                                      std::to_string(config_.max_chunk_bytes) + " bytes"};
  return std::nullopt;
}

void FrameMuxer::open_chunk(std::int64_t start_ms, bool keyframe, std::vector<MuxEvent>& events,
                            std::optional<std::int64_t> next_video_ms) {
  std::optional<PendingFrame> carried;
  if (chunk_) {
    // Where one chunk ends and the next begins, every frame before must have ended and
    // none after may have begun: Firefox's MSE takes a Cluster whose first block starts
    // before the end of what it already holds for a new stream (it starts its demuxer
    // over and drops the delta frames up to the next keyframe), and Chromium refuses a
    // Cluster whose blocks go back in time. Audio packets rarely end where a video
    // frame begins, so when one runs past the video frame that opens the next chunk,
    // the next chunk opens with that packet instead, and the video frame before it is
    // said to end there (a hole of less than a packet in the video, which both browsers
    // play across).
    std::vector<PendingFrame>& pending = chunk_->pending;
    const auto last_audio = std::find_if(pending.rbegin(), pending.rend(),
                                         [](const PendingFrame& f) { return f.track == FrameTrack::kAudio; });
    if (next_video_ms && last_audio != pending.rend() && last_audio->ms + last_audio->gap_ms > *next_video_ms) {
      carried = std::move(*last_audio);
      pending.erase(std::prev(last_audio.base()));
      start_ms = std::min(start_ms, carried->ms);
    }
    events.push_back(close_chunk(start_ms, next_video_ms, carried ? std::optional(carried->ms) : std::nullopt));
  }
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
  if (carried) chunk_->pending.push_back(std::move(*carried));
}

MediaChunk FrameMuxer::close_chunk(std::int64_t end_ms, std::optional<std::int64_t> next_video_ms,
                                   std::optional<std::int64_t> next_audio_ms) {
  while (!chunk_->pending.empty()) {
    const PendingFrame& f = chunk_->pending.front();
    if (front_followed()) {
      write_pending_front(std::nullopt);
      continue;
    }
    // The chunk's last frame of its track lasts until the track's next frame, or the
    // next chunk's start if that comes first; where the next frame is not known (the
    // end of the stream, a chunk cut by an audio packet, audio ending before the
    // boundary), as long as the frame before it.
    const std::optional<std::int64_t> next = f.track == FrameTrack::kVideo ? next_video_ms : next_audio_ms;
    const std::int64_t until = next ? std::min(*next, end_ms) : f.ms + f.gap_ms;
    write_pending_front(std::max<std::int64_t>(1, until - f.ms));
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

void FrameMuxer::append_block(const EncodedFrame& frame, std::int64_t ms, std::int64_t gap_ms) {
  PendingFrame& f = chunk_->pending.emplace_back();
  if (!spare_bytes_.empty()) {
    f.bytes = std::move(spare_bytes_.back());
    spare_bytes_.pop_back();
  }
  f.bytes.assign(frame.bytes.begin(), frame.bytes.end());
  f.track = frame.track;
  f.ms = ms;
  f.keyframe = frame.keyframe;
  f.gap_ms = gap_ms;
  // A video frame that does not open a chunk says the chunk goes on: every frame before
  // it of a track that has one after now knows where it ends. (An audio packet cannot
  // say so: the one after it may yet open the next chunk, and then the packet is that
  // chunk's last, which must say where it ends.)
  if (frame.track != FrameTrack::kVideo) return;
  while (!chunk_->pending.empty() && front_followed()) write_pending_front(std::nullopt);
}

bool FrameMuxer::front_followed() const {
  const std::vector<PendingFrame>& pending = chunk_->pending;
  return std::any_of(pending.begin() + 1, pending.end(), [&](const PendingFrame& f) { return f.track == pending.front().track; });
}

void FrameMuxer::write_pending_front(std::optional<std::int64_t> duration_ms) {
  PendingFrame& f = chunk_->pending.front();
  const bool video = f.track == FrameTrack::kVideo;
  const std::uint64_t track = video ? kVideoTrackNumber : kAudioTrackNumber;
  const std::int64_t relative = f.ms - chunk_->start_ms;
  const mkvmuxer::uint64 content = kBlockHeaderBytes + f.bytes.size();
  ByteVectorWriter writer(chunk_->bytes);
  if (!duration_ms) {
    mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvSimpleBlock, content);
    write_block_content(writer, track, relative, f.keyframe ? kKeyframeFlag : 0, f.bytes);
  } else {
    // A track's last frame in the chunk says how long it lasts, so a player that takes
    // the chunks one by one knows where it ends. Left to guess, Firefox guessed short,
    // took the gap before the next chunk for a break in the stream and, when that chunk
    // opened on a delta frame, dropped all of it up to the next keyframe.
    const auto duration = static_cast<mkvmuxer::uint64>(*duration_ms);
    // A delta frame names the frame before it; a BlockGroup without one is a keyframe.
    const bool delta = !f.keyframe;
    const auto reference = static_cast<mkvmuxer::int64>(-std::max<std::int64_t>(1, f.gap_ms));
    const mkvmuxer::uint64 group_size = mkvmuxer::EbmlMasterElementSize(libwebm::kMkvBlock, content) + content +
                                        mkvmuxer::EbmlElementSize(libwebm::kMkvBlockDuration, duration) +
                                        (delta ? mkvmuxer::EbmlElementSize(libwebm::kMkvReferenceBlock, reference) : 0);
    mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvBlockGroup, group_size);
    mkvmuxer::WriteEbmlMasterElement(&writer, libwebm::kMkvBlock, content);
    write_block_content(writer, track, relative, 0, f.bytes);  // a Block's flags carry no keyframe bit
    mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvBlockDuration, duration);
    if (delta) mkvmuxer::WriteEbmlElement(&writer, libwebm::kMkvReferenceBlock, reference);
  }
  spare_bytes_.push_back(std::move(f.bytes));
  chunk_->pending.erase(chunk_->pending.begin());
}

std::vector<MuxEvent> FrameMuxer::refuse(const EncodedFrame& frame, MuxError error) {
  if (frame.track == FrameTrack::kVideo) video_held_ = true;
  appended_from_ = chunk_ ? chunk_->bytes.size() : 0;
  return {std::move(error)};
}

}  // namespace swarmcast::media
