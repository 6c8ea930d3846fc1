// A named swarm scenario (tools/sim/scenarios/*.json): who joins, with what links, and
// what the run must achieve.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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
  std::uint32_t neighbors = 8;         // links a joining viewer asks the tracker for
  std::uint32_t join_window_s = 10;    // viewers join spread over this
  double latency_min_ms = 10, latency_max_ms = 60;  // one-way, per peer
  double churn_per_min = 0;            // share of viewers replaced each minute
  double polluter_share = 0;
  std::map<std::string, double> expect_min, expect_max;  // metric bounds checked with --check
};

// Reads and validates a scenario; throws std::runtime_error naming what is wrong.
Scenario load_scenario(const std::string& path);

}  // namespace swarmcast::sim
