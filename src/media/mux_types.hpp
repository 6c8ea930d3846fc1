// What the WebCodecs path of the core takes and gives: a rendition's spec, encoded
// frames in capture order, and typed errors. Its init segments and chunks are the
// segmenter's own types (segment_types.hpp), so signing and the swarm take them as they are.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "core/bytes.hpp"
#include "media/segment_types.hpp"

namespace swarmcast::media {

struct AudioSpec {
  std::uint32_t sample_rate = 48000;
  std::uint32_t channels = 0;
  // Opus: the OpusHead the encoder reports (WebCodecs decoderConfig.description). Its
  // pre-skip is also written as the track's CodecDelay.
  ByteVector codec_private;
};

// One rung of the ladder as its init segment declares it.
struct RenditionSpec {
  std::string video_codec;  // "V_VP8" or "V_VP9"
  std::uint32_t width = 0, height = 0;
  std::optional<AudioSpec> audio;  // "A_OPUS"; the same packets go into every rendition
};

// The track numbers (and UIDs) the init segment declares: fixed, so an init segment is
// a function of its spec alone and hashes the same every time it is written.
inline constexpr std::uint64_t kVideoTrackNumber = 1;
inline constexpr std::uint64_t kAudioTrackNumber = 2;

enum class FrameTrack : std::uint8_t { kVideo, kAudio };

struct EncodedFrame {
  FrameTrack track = FrameTrack::kVideo;
  std::int64_t timestamp_us = 0;  // the capture clock's time, as WebCodecs carries it
  bool keyframe = false;
  // Video only: this frame opens chunk k. The caller's chunk clock asked every
  // rendition's encoder for a keyframe on this same frame.
  bool chunk_boundary = false;
  ByteView bytes;
};

enum class MuxErrorCode {
  kBadSpec,              // a rendition spec the init segment cannot declare
  kNoSuchTrack,          // an audio packet for a rendition without audio
  kTimestampOutOfRange,  // negative, or beyond what a Cluster Timecode holds
  kOutOfOrder,           // a frame timed before the previous frame of its track
  kEmptyFrame,           // a frame without bytes
  kFrameTooLarge,        // a frame above MuxerConfig::max_frame_bytes
  kChunkTooLarge,        // the frame would take its chunk above MuxerConfig::max_chunk_bytes
  kLateFrame,            // an audio packet timed before its chunk's start by more than a relative timecode reaches
  kMisaligned,           // chunk k of two renditions starts at different capture times
};

struct MuxError {
  MuxErrorCode code = MuxErrorCode::kBadSpec;
  std::string detail;
  // Fatal: nothing more can come of this muxer. A refused frame is not fatal: the
  // muxer goes on, with video held back until the next keyframe when it was video.
  bool fatal = false;
};

const char* to_string(MuxErrorCode code);

using MuxEvent = std::variant<MediaChunk, MuxError>;

}  // namespace swarmcast::media
