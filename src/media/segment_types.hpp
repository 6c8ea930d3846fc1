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

// One Cluster of known size holding the blocks from one cut to the next (see
// SegmenterConfig): its Timecode is `start`, every block keeps its bytes but for its
// relative timecode.
struct MediaChunk {
  ChunkSeq seq;
  Epoch epoch;
  TimeMs start;  // media time the chunk starts at: its Cluster Timecode
  std::uint32_t duration_ms = 0;
  bool keyframe = false;  // the chunk's first video frame is a keyframe (false when cut by duration or bytes)
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

// A chunk is cut before a block; audio muxed just before the video frame it is cut at,
// but timed at or after it, goes with that frame. A chunk never spans more than a
// 16-bit relative timecode reaches (32767 ticks: 32.767 s at the usual 1 ms scale): it
// is cut before the first block beyond, of whatever track.
struct SegmenterConfig {
  // A chunk ends at a video keyframe once it is at least 80 % of this long (encoders
  // jitter keyframes by a frame or two around the requested interval, and a slightly
  // early keyframe must not double the chunk), and at any keyframe when it did not
  // open with one. Audio-only streams: at any audio block, by the same rule.
  std::uint32_t target_duration_ms = 1000;
  // When no keyframe came (an encoder with sparse keyframes, e.g. Firefox's recorder,
  // one every 6-8 s), a chunk ends at the first video frame this long after its start;
  // the next chunk's `keyframe` is false. A quarter above the target: a keyframe that
  // comes a few frames late still opens its chunk.
  std::uint32_t max_duration_ms = 1250;
  // A chunk ends before the next block once it holds this many bytes, keyframe or not
  // (then the next chunk's `keyframe` is false).
  std::uint32_t max_chunk_bytes = 4u << 20;
  // No single element (a cluster, a frame, a codec private blob) may exceed this: a
  // declared size is never trusted for allocation.
  std::uint32_t max_element_bytes = 8u << 20;
};

}  // namespace swarmcast::media
