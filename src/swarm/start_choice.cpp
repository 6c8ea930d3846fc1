#include "swarm/start_choice.hpp"

namespace swarmcast::swarm {

std::optional<ChunkSeq> start_chunk(const FlatMap<ChunkSeq, ChunkEntry>& chunks, std::int64_t wanted_capture_ms) {
  std::optional<ChunkSeq> chosen;
  for (const auto& [seq, entry] : chunks) {
    if (!entry.header.keyframe) continue;
    if (chosen && entry.header.capture_time.value > wanted_capture_ms) break;
    chosen = seq;
  }
  return chosen;
}

ChunkSeq later_start(const FlatMap<ChunkSeq, ChunkEntry>& chunks, ChunkSeq chosen, std::int64_t moment_ms) {
  const ChunkEntry* current = nullptr;
  if (auto it = chunks.find(chosen); it != chunks.end()) current = &it->second;
  if (!current || moment_ms < current->header.capture_time.value + std::int64_t{current->header.duration_ms})
    return chosen;
  ChunkSeq later = chosen;
  for (auto it = chunks.upper_bound(chosen); it != chunks.end() && it->second.header.capture_time.value <= moment_ms; ++it)
    if (it->second.header.keyframe && it->second.complete()) later = it->first;
  return later;
}

}  // namespace swarmcast::swarm
