// A named swarm scenario (tools/sim/scenarios/*.json): who joins, with what links, and
// what the run must achieve.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "swarm/peer_selection.hpp"

namespace swarmcast::sim {

struct UplinkClass {
  double share;  // of viewers
  double min_kbps, max_kbps;
};

struct Scenario {
  std::string name;
  std::uint32_t viewers = 10;
  std::uint32_t seconds = 60;
  std::uint64_t seed = 1;
  double stream_kbps = 2500;
  double broadcaster_up_kbps = 20'000;
  std::vector<UplinkClass> uplinks;
  // Peer selection's caps; defaults are the server's (tools/server/limits.js).
  swarm::SelectionLimits selection;
  // The viewer's client (web/shim/swarm-node.js): below min_peers links it asks for
  // more, at most once per peers_request_interval_ms; it reports its stats every
  // stats_interval_ms.
  std::uint32_t min_peers = 4;
  std::uint32_t peers_request_interval_ms = 3000;
  std::uint32_t stats_interval_ms = 2000;
  std::uint32_t join_window_s = 10;    // viewers join spread over this
  double latency_min_ms = 10, latency_max_ms = 60;  // one-way, per peer
  double churn_per_min = 0;            // share of viewers replaced each minute
  double polluter_share = 0;
  std::map<std::string, double> expect_min, expect_max;  // metric bounds checked with --check
};

// Reads and validates a scenario; throws std::runtime_error naming what is wrong.
Scenario load_scenario(const std::string& path);

}  // namespace swarmcast::sim
