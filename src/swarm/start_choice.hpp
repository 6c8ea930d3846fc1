// Where a joining viewer's player starts: a chunk whose first video frame is a
// keyframe, since a decoder handed anything else first shows nothing until the next
// keyframe. With keyframes sparser than chunks (Firefox's recorder makes one every
// 6-7 s whatever it is asked) that start is up to a group of pictures older than the
// moment the viewer aims at; the player plays from there and catches up (engine.cpp).
#pragma once

#include <cstdint>
#include <optional>

#include "core/flat_map.hpp"
#include "swarm/chunk_buffer.hpp"

namespace swarmcast::swarm {

// Of `rendition`'s chunks, the newest keyframe chunk captured at or before
// `wanted_capture_ms`; if every keyframe chunk known is later, the oldest of them (its
// moment is still to come); nothing while no keyframe chunk is known.
std::optional<ChunkSeq> start_chunk(const FlatMap<ChunkId, ChunkEntry>& chunks, RenditionId rendition,
                                    std::int64_t wanted_capture_ms);

// What a player that has not started yet starts with when its moment (`moment_ms`) is
// already past the end of `chosen`, the start chosen before (it took long to arrive):
// the newest complete keyframe chunk of its rendition after `chosen` that begins at or
// before the moment; `chosen`'s seq when there is none (it plays from there and
// catches up).
ChunkSeq later_start(const FlatMap<ChunkId, ChunkEntry>& chunks, ChunkId chosen, std::int64_t moment_ms);

}  // namespace swarmcast::swarm
