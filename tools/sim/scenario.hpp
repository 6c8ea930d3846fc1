// A named swarm scenario (tools/sim/scenarios/*.json): who joins, with what links, and
// what the run must achieve.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "swarm/peer_selection.hpp"

namespace swarmcast::sim {

// A share of the viewers whose link (one direction) is drawn uniformly from
// [min_kbps, max_kbps]; a download class without a rate is unlimited.
struct LinkClass {
  double share;
  double min_kbps, max_kbps;
  std::string name;  // for the metrics by download class
};

// One quality of the stream; the scenario lists them highest first.
struct RenditionSpec {
  double kbps;
  std::uint16_t height;  // the width is 16:9 of it
};

struct Scenario {
  std::string name;
  std::uint32_t viewers = 10;
  std::uint32_t seconds = 60;
  std::uint64_t seed = 1;
  double stream_kbps = 2500;
  double broadcaster_up_kbps = 20'000;
  // Capture time per chunk, and per group of pictures (a chunk opening on a keyframe,
  // where joiners start and viewers switch, every keyframe_ms): the browser
  // broadcaster's renditions are cut every 250 ms with a keyframe every second.
  std::uint32_t chunk_ms = 1000;
  std::uint32_t keyframe_ms = 1000;
  // The viewers' glass-to-glass target (EngineConfig::target_latency_ms); 0: the
  // engine's default.
  std::uint32_t target_latency_ms = 0;
  // Several: the broadcaster publishes a signed rendition list and every rendition's
  // chunks, and each viewer's engine runs the ABR rule; stream_kbps is the top's rate.
  // Empty: one rendition at stream_kbps, and no list (a stream of one rendition).
  std::vector<RenditionSpec> renditions;
  std::vector<LinkClass> uplinks;
  std::vector<LinkClass> downlinks;  // none: every download unlimited
  // > 0: stream_kbps is this share of the capacity bound the scenario's links promise
  // (capacity_bound_kbps: its expected value before the draw).
  double stream_of_bound = 0;
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
  // The field's constraints (docs/SIMULATOR.md, "What is modelled"): viewers that do
  // not upload (phones on mobile data), viewer pairs that cannot connect (NAT on both
  // sides, no TURN: the link gives up after the shim's open timeout), and lossy links
  // (each packet lost with loss_rate, delivered retransmit_ms later, and everything
  // behind it on that channel waits: it is reliable and ordered).
  double non_uploader_share = 0;
  double unconnectable_share = 0;  // of viewer pairs
  std::uint32_t open_timeout_ms = 15'000;
  double lossy_link_share = 0;
  double loss_rate = 0;
  std::uint32_t retransmit_ms = 400;
  std::map<std::string, double> expect_min, expect_max;  // metric bounds checked with --check
};

// The renditions the broadcaster publishes: the scenario's, or one at stream_kbps.
std::vector<RenditionSpec> published_renditions(const Scenario& scenario);

// Reads and validates a scenario; throws std::runtime_error naming what is wrong.
Scenario load_scenario(const std::string& path);

// The fluid bound on the stream rate a swarm can carry, r_max = min(u_s, (u_s + Σu_i) / n)
// (Kumar, Liu and Ross, INFOCOM 2007), with each viewer's expected upload: what
// stream_of_bound is a share of.
double expected_capacity_bound_kbps(const Scenario& scenario);

}  // namespace swarmcast::sim
