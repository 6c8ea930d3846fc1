#include "swarm/start_choice.hpp"

namespace swarmcast::swarm {

std::optional<ChunkSeq> start_chunk(const FlatMap<ChunkId, ChunkEntry>& chunks, RenditionId rendition,
                                    std::int64_t wanted_capture_ms) {
  std::optional<ChunkSeq> chosen;
  for (const auto& [id, entry] : chunks) {
    if (id.rendition != rendition || !entry.header.keyframe) continue;
    if (chosen && entry.header.capture_time.value > wanted_capture_ms) break;
    chosen = id.seq;
  }
  return chosen;
}

ChunkSeq later_start(const FlatMap<ChunkId, ChunkEntry>& chunks, ChunkId chosen, std::int64_t moment_ms) {
  const ChunkEntry* current = nullptr;
  if (auto it = chunks.find(chosen); it != chunks.end()) current = &it->second;
  if (!current || moment_ms < current->header.capture_time.value + std::int64_t{current->header.duration_ms})
    return chosen.seq;
  ChunkSeq later = chosen.seq;
  for (auto it = chunks.upper_bound(chosen); it != chunks.end() && it->second.header.capture_time.value <= moment_ms; ++it)
    if (it->first.rendition == chosen.rendition && it->second.header.keyframe && it->second.complete()) later = it->first.seq;
  return later;
}

}  // namespace swarmcast::swarm
