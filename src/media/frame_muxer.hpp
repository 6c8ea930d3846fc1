// One rendition's WebCodecs output as chunks: encoded frames in, one Cluster per chunk
// out. A chunk opens at the video frame the caller marks as a chunk boundary, so chunk
// k of every rendition fed the same frames starts at the same time. Chunks may be
// shorter than a group of pictures: the caller's chunk clock asks every rendition's
// encoder for a keyframe on the same boundaries, every few chunks, and a chunk that
// opens on a delta frame says so (keyframe false).
//
// Each chunk is a Cluster of unknown size (8-byte size 0x01FFFFFFFFFFFFFF): its Timecode
// (the chunk's start, ms), then a block per frame in the order pushed. Every block but
// the chunk's last video frame is a SimpleBlock (track, 16-bit relative timecode, flags
// 0x80 on a keyframe, the frame); that one is a BlockGroup with its BlockDuration (and
// a ReferenceBlock when it is a delta frame), since nothing after it in the chunk says
// where it ends. So each video frame is written when the next one arrives, with the
// audio pushed in between. The bytes grow by appending only: what appended() hands out
// push by push is the chunk's final bytes but the last video frame and the audio after
// it, which the closed chunk adds; published progressively or whole, they hash the same.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/result.hpp"
#include "media/mux_types.hpp"

namespace swarmcast::media {

struct MuxerConfig {
  Epoch epoch{0};
  // The first chunk's sequence number: a rendition started (or restarted) mid-stream
  // takes the number its siblings are at, so chunk k means the same moment in each.
  ChunkSeq first_seq{0};
  std::uint32_t max_frame_bytes = 4u << 20;
  // As much as a signed chunk header may declare (trust::kMaxChunkBytes).
  std::uint32_t max_chunk_bytes = 16u << 20;
};

// A Cluster Timecode beyond this is refused, as the segmenter refuses one (2^48 ms).
inline constexpr std::int64_t kMaxTimestampMs = std::int64_t{1} << 48;

class FrameMuxer {
 public:
  // kBadSpec (fatal) when the spec cannot be written as an init segment.
  static Result<FrameMuxer, MuxError> create(const RenditionSpec& spec, MuxerConfig config = {});

  const InitSegment& init_segment() const { return init_; }

  // Takes frames in capture order, each track's timestamps never going back. Returns the
  // chunk this frame closed (a boundary, or a frame a relative timecode cannot reach from
  // the chunk's start), or the typed error that refused it. Frames before the first
  // boundary have no chunk to go into and are dropped. Before the first keyframe, and
  // after a refused video frame, the video is held back (dropped, without further
  // errors) until the next keyframe, since the frames between reference what is
  // missing; audio goes on.
  std::vector<MuxEvent> push(const EncodedFrame& frame);
  // The stream ended: the open chunk, lasting until its last video frame ends.
  std::vector<MuxEvent> finish();

  // The bytes the last push added to the open chunk: a new Cluster's header when it
  // opened one, an audio frame's block, or the block of the video frame before this one
  // (and the audio behind it); none when it was refused or dropped. Valid until the
  // next call.
  ByteView appended() const;
  // Frames dropped without an error: before the first boundary, or held back video.
  std::uint64_t dropped_frames() const { return dropped_frames_; }

 private:
  // A video frame is written once the next one says how long it lasts.
  struct HeldVideo {
    ByteVector bytes;
    std::int64_t ms = 0;
    bool keyframe = false;
    std::int64_t reference_ms = 0;  // the video frame before it
  };
  struct OpenChunk {
    ChunkSeq seq;
    std::int64_t start_ms = 0;
    bool keyframe = false;
    ByteVector bytes;
    std::optional<HeldVideo> last_video;
    ByteVector after_last_video;  // the audio blocks pushed since, written after it
  };

  explicit FrameMuxer(InitSegment init, MuxerConfig config);

  std::optional<MuxError> check(const EncodedFrame& frame, std::int64_t ms) const;
  // `next_video_ms`: the video frame that opens the chunk, if a video frame does.
  void open_chunk(std::int64_t start_ms, bool keyframe, std::vector<MuxEvent>& events,
                  std::optional<std::int64_t> next_video_ms);
  MediaChunk close_chunk(std::int64_t end_ms, std::optional<std::int64_t> next_video_ms);
  void append_block(const EncodedFrame& frame, std::int64_t ms);
  // Writes the held video frame, then the audio pushed behind it: a SimpleBlock while the
  // chunk goes on (nullopt: the next frame says where it ends), a BlockGroup with its
  // BlockDuration as the chunk's last.
  void write_held(std::optional<std::int64_t> duration_ms);
  std::vector<MuxEvent> refuse(const EncodedFrame& frame, MuxError error);

  InitSegment init_;
  MuxerConfig config_;
  std::uint64_t next_seq_;
  std::optional<OpenChunk> chunk_;
  std::optional<std::int64_t> last_video_us_, last_audio_us_;
  std::optional<std::int64_t> last_video_ms_;  // the last video frame kept, and its distance to the one before
  std::int64_t last_video_gap_ms_ = 0;
  // No keyframe yet, or a refused video frame: video dropped until the next keyframe.
  bool video_held_ = true;
  std::size_t appended_from_ = 0;
  std::size_t last_chunk_bytes_ = 0;
  ByteVector spare_video_bytes_;  // a held frame's storage, kept for the next
  std::uint64_t dropped_frames_ = 0;
};

}  // namespace swarmcast::media
