// Counters an engine keeps; the simulator and the browser turn them into the metrics of
// DESIGN.md (offload, source upload factor, control overhead, ...).
#pragma once

#include <cstdint>

namespace swarmcast::swarm {

struct EngineStats {
  std::uint64_t media_bytes_received = 0;       // verified piece bytes, from anyone
  std::uint64_t media_bytes_from_source = 0;    // of those, from the broadcaster
  std::uint64_t media_bytes_from_http = 0;      // of those, from the HTTP origin
  std::uint64_t media_bytes_sent = 0;
  std::uint64_t duplicate_bytes_received = 0;   // pieces we already had (races, late duplicates)
  std::uint64_t control_bytes_sent = 0;         // every non-piece message
  std::uint64_t control_bytes_received = 0;
  std::uint64_t bad_pieces = 0;
  std::uint64_t bans = 0;
  std::uint64_t protocol_errors = 0;
  std::uint64_t requests_sent = 0;
  std::uint64_t requests_timed_out = 0;
  std::uint64_t chunks_played = 0;
  std::uint64_t chunks_skipped = 0;
  std::uint64_t chunks_published = 0;
};

}  // namespace swarmcast::swarm
