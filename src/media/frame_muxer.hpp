// One rendition's WebCodecs output as chunks: encoded frames in, one Cluster per chunk
// out. A chunk opens at the video frame the caller marks as a chunk boundary, so chunk
// k of every rendition fed the same frames starts at the same time. Chunks may be
// shorter than a group of pictures: the caller's chunk clock asks every rendition's
// encoder for a keyframe on the same boundaries, every few chunks, and a chunk that
// opens on a delta frame says so (keyframe false).
//
// Each chunk is a Cluster of unknown size (8-byte size 0x01FFFFFFFFFFFFFF): its Timecode
// (the chunk's start, ms), then a block per frame in the order pushed. Each track's last
// frame in the chunk is a BlockGroup with its BlockDuration (and a ReferenceBlock when
// it is a delta frame), since nothing after it in the chunk says where it ends; every
// other frame is a SimpleBlock (track, 16-bit relative timecode, flags 0x80 on a
// keyframe, the frame). So a frame is written once the next frame of its track has come
// and a video frame after it says the chunk goes on (the frames pushed after it wait
// with it). Every frame of a chunk ends by the next chunk's start, and every block
// starts at or after its own chunk's, in time order: an audio packet that runs past the
// video frame opening the next chunk opens that chunk instead (docs/PROTOCOL.md, "Where
// chunks meet"). The bytes grow by appending only: what appended() hands out push by
// push is the chunk's final bytes but for the frames still waiting when it closes,
// which the closed chunk adds; published progressively or whole, they hash the same.
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
  // The stream ended: the open chunk, lasting until its last frame ends.
  std::vector<MuxEvent> finish();

  // The bytes the last push added to the open chunk: a new Cluster's header when it
  // opened one, then, for a video frame, the blocks of the frames it let go (in the order
  // pushed, up to the first still waiting for the next of its track); none when it was
  // refused or dropped. Valid until the next call.
  ByteView appended() const;
  // Frames dropped without an error: before the first boundary, or held back video.
  std::uint64_t dropped_frames() const { return dropped_frames_; }

 private:
  // A frame is written once the next frame of its track says how long it lasts.
  struct PendingFrame {
    FrameTrack track = FrameTrack::kVideo;
    std::int64_t ms = 0;
    bool keyframe = false;
    std::int64_t gap_ms = 0;  // to its track's frame before it
    ByteVector bytes;
  };
  // The time of a track's last frame, and its distance to the one before.
  struct TrackClock {
    std::optional<std::int64_t> last_ms;
    std::int64_t gap_ms = 0;
  };
  struct OpenChunk {
    ChunkSeq seq;
    std::int64_t start_ms = 0;
    bool keyframe = false;
    ByteVector bytes;
    std::vector<PendingFrame> pending;  // in the order pushed
  };

  explicit FrameMuxer(InitSegment init, MuxerConfig config);

  std::optional<MuxError> check(const EncodedFrame& frame, std::int64_t ms) const;
  // `next_video_ms`: the video frame that opens the chunk, if a video frame does.
  void open_chunk(std::int64_t start_ms, bool keyframe, std::vector<MuxEvent>& events,
                  std::optional<std::int64_t> next_video_ms);
  // `next_video_ms`, `next_audio_ms`: each track's next frame, where known.
  MediaChunk close_chunk(std::int64_t end_ms, std::optional<std::int64_t> next_video_ms,
                         std::optional<std::int64_t> next_audio_ms);
  void append_block(const EncodedFrame& frame, std::int64_t ms, std::int64_t gap_ms);
  // Whether a later frame of the first pending frame's track is pending too.
  bool front_followed() const;
  // Writes the first pending frame: a SimpleBlock (nullopt: a later frame of its track
  // in the chunk says where it ends), else a BlockGroup with its BlockDuration.
  void write_pending_front(std::optional<std::int64_t> duration_ms);
  std::vector<MuxEvent> refuse(const EncodedFrame& frame, MuxError error);

  InitSegment init_;
  MuxerConfig config_;
  std::uint64_t next_seq_;
  std::optional<OpenChunk> chunk_;
  std::optional<std::int64_t> last_video_us_, last_audio_us_;
  TrackClock video_clock_, audio_clock_;  // of the frames kept
  // No keyframe yet, or a refused video frame: video dropped until the next keyframe.
  bool video_held_ = true;
  std::size_t appended_from_ = 0;
  std::size_t last_chunk_bytes_ = 0;
  std::vector<ByteVector> spare_bytes_;  // written frames' storage, kept for the next ones
  std::uint64_t dropped_frames_ = 0;
};

}  // namespace swarmcast::media
