// A chunk's blocks written as one Cluster of known size: its Timecode, then each
// SimpleBlock or BlockGroup byte for byte except the Block's relative timecode, which
// is re-based on that Timecode. libwebm's muxer utilities write the EBML. One Cluster
// per append is what Firefox's SourceBuffer demuxes in order, frame for frame; a run of
// small Clusters that each open at an audio frame timed before the last video frame
// ended made it drop video until the next keyframe.
#pragma once

#include <cstdint>
#include <span>

#include "core/bytes.hpp"
#include "media/chunk_assembler.hpp"

namespace swarmcast::media {

class StreamBuffer;

// Preconditions: timecode_ticks >= 0; every block lies in `buffer`, with its time
// within a 16-bit relative timecode of timecode_ticks (ChunkAssembler ensures both).
ByteVector write_cluster(std::int64_t timecode_ticks, std::span<const BlockRef> blocks, const StreamBuffer& buffer);

}  // namespace swarmcast::media
