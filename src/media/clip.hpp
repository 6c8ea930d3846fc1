// A clip of a stream as a WebM file of its own: an epoch's init segment, then whole
// clusters of that epoch (one chunk or several, in order) from the first that opens
// with a video keyframe (those before it are left out), with every Cluster Timecode
// moved back so the file's timeline starts at 0 at that cluster's earliest block. A
// player then shows a 30 s clip as 30 s, not as the last 30 s of however long the
// stream has run. libwebm finds the elements; nothing else in the bytes changes.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace swarmcast::media {

struct ClipError {
  std::uint64_t position = 0;  // in init + clusters
  std::string detail;
};

Result<ByteVector, ClipError> make_clip(ByteView init, ByteView clusters);

}  // namespace swarmcast::media
