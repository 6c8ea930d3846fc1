// The parts of a WebM header the segmenter keeps for one epoch, and the init segment
// built from them.
#pragma once

#include <cstdint>
#include <optional>

#include "media/segment_types.hpp"
#include "webm/dom_types.h"

namespace swarmcast::media {

class StreamBuffer;

struct ByteRange {
  std::uint64_t begin = 0, end = 0;
};

struct HeaderParts {
  ByteRange ebml;
  std::optional<ByteRange> info, tracks;
  std::uint64_t timecode_scale_ns = 1'000'000;
  std::uint64_t video_track = 0, audio_track = 0;  // 0: none (Matroska numbers tracks from 1)
  TrackInfo video, audio;

  bool has_video() const { return video_track != 0; }
  bool has_audio() const { return audio_track != 0; }
  // The first video and the first audio track carry the stream; others ride along.
  void add_track(const webm::TrackEntry& entry);
  std::int64_t to_ms(std::int64_t timecode) const;
};

// EBML header + Segment rewritten to unknown size (the stream is live, its length
// unknown) + Info + Tracks. Precondition: every range is still in `buffer`.
InitSegment build_init_segment(const HeaderParts& header, Epoch epoch, const StreamBuffer& buffer);

std::string mime_type_for(const TrackInfo& video, const TrackInfo& audio);

}  // namespace swarmcast::media
