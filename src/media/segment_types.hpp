// What the WebM segmenter emits: init segments, media chunks, and typed errors.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "core/bytes.hpp"
#include "core/strong_types.hpp"

namespace swarmcast::media {

struct TrackInfo {
  std::string codec_id;  // Matroska codec id, e.g. "V_VP8", "A_OPUS"; empty if absent
  std::uint32_t width = 0, height = 0;  // video only
  std::uint32_t sample_rate = 0, channels = 0;  // audio only
};

// EBML header + Segment (rewritten to unknown size) + Info + Tracks: everything a
// player needs before the first chunk of this epoch.
struct InitSegment {
  Epoch epoch;
  TrackInfo video, audio;  // codec_id empty when the stream has no such track
  std::string mime_type;   // for MediaSource.isTypeSupported, e.g. video/webm; codecs="vp8,opus"
  ByteVector bytes;
};

// Whole clusters from one video keyframe to the next (audio-only: by duration).
struct MediaChunk {
  ChunkSeq seq;
  Epoch epoch;
  TimeMs start;  // media time of the chunk's first cluster
  std::uint32_t duration_ms = 0;
  bool keyframe = false;  // the chunk's first video frame is a keyframe (always, unless a byte cap cut it)
  ByteVector bytes;
};

enum class SegmenterErrorCode {
  kMalformed,            // libwebm rejected the bytes (bad id, size, value, nesting)
  kElementTooLarge,      // a declared or accumulated size beyond the configured caps
  kUnexpectedElement,    // something other than EBML or Segment at the top level
  kUnknownElement,       // an unknown element inside the segment: skipped, not fatal
  kUnsupportedDocType,   // not "webm"
  kUnsupportedLayout,    // e.g. Info/Tracks of unknown size
  kMissingTracks,        // a Cluster before Info and Tracks
  kNoMediaTracks,        // Tracks without a video or audio track
  kTruncated,            // the stream ended inside an element
};

struct SegmenterError {
  SegmenterErrorCode code;
  std::uint64_t position = 0;  // byte offset in the pushed stream
  std::string detail;
  // Fatal: the current epoch was abandoned; the segmenter resumes at the next EBML
  // header. Complete clusters before the error were still emitted.
  bool fatal = true;
};

const char* to_string(SegmenterErrorCode code);

using SegmenterEvent = std::variant<InitSegment, MediaChunk, SegmenterError>;

struct SegmenterConfig {
  // A chunk ends at the first keyframe cluster once it is at least 80 % of this
  // long; encoders jitter keyframes by a frame or two around the requested interval,
  // and a slightly early keyframe must not double the chunk.
  std::uint32_t target_duration_ms = 1000;
  // A chunk ends at the next cluster boundary once it holds this many bytes, keyframe
  // or not (then the next chunk's `keyframe` is false).
  std::uint32_t max_chunk_bytes = 4u << 20;
  // No single element (a cluster, a frame, a codec private blob) may exceed this: a
  // declared size is never trusted for allocation.
  std::uint32_t max_element_bytes = 8u << 20;
};

}  // namespace swarmcast::media
