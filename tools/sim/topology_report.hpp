// The shape of the swarm at the end of a run: how far each viewer is from the source
// over the links it has, and what share of the links and of the uploaded bytes each
// role carries. A tree-mesh that works keeps the hops near log(audience) and puts the
// load on the super-seeds and relays near the source, not on the leaves.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "swarm/swarm_types.hpp"

namespace swarmcast::sim {

// One node as the report sees it; nodes[0] is the broadcaster.
struct NodeView {
  bool left = false;
  swarm::Role role = swarm::Role::kLeaf;  // the role the server last gave it
  std::size_t down_links = 0;             // links where it was the peer handed to a newcomer
  std::uint64_t bytes_uploaded = 0;       // media bytes it sent over the whole run
  std::vector<std::size_t> links;         // its neighbours now
};

// hops_p50, hops_p95, hops_max and hops_histogram (viewers at 0, 1, 2... hops) over the live
// viewers the source reaches, unreached (live viewers it does not), and roles: per
// role, its members (live) and its link_share and upload_share.
nlohmann::json topology_report(std::span<const NodeView> nodes);

}  // namespace swarmcast::sim
