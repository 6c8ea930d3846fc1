// Counters an engine keeps; the simulator and the browser turn them into the metrics of
// docs/ARCHITECTURE.md, "What we measure" (offload, source upload factor, control overhead, ...).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "trust/signed_header.hpp"

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
  // Pieces our peers asked of us: how many, how many we sent (a broadcaster's pushed
  // stripes count as sent too), and how many we refused (asked while we choke them or
  // past the queue cap) or dropped (choked them later, or the chunk left our buffer).
  // Reported to the server, whose scorer rates our reliability with them.
  std::uint64_t piece_requests_received = 0;
  std::uint64_t piece_requests_served = 0;
  std::uint64_t piece_requests_refused = 0;
  std::uint64_t chat_lines_received = 0;  // new lines from peers, delivered and passed on
  std::uint64_t chat_lines_dropped = 0;   // over an author's or a peer's rate, or too many hops
  std::uint64_t chunks_played = 0;
  std::uint64_t chunks_skipped = 0;
  std::uint64_t chunks_published = 0;
  std::uint64_t switches_up = 0;    // rendition switches made, to a higher bitrate
  std::uint64_t switches_down = 0;  // and to a lower one
  std::array<std::uint64_t, trust::kMaxRenditions> ms_on_rendition{};  // media played, by rendition id
};

// One figure of Engine::stats_report(): a count (whole) or a share; no value is JSON's
// null. A figure that is a name (abr_reason) has `text` and no value.
struct StatField {
  std::string_view name;
  std::optional<double> value;
  bool whole = true;
  std::string_view text = {};
};

}  // namespace swarmcast::swarm
