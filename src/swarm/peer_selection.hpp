// Who a viewer is handed as neighbours: the topology of the swarm. The signaling server
// runs it (through the wasm build) for every join and peers-request, and the simulator
// runs it natively, so the topology the product builds is the one that is simulated.
//
// The broadcaster feeds the first viewers directly until it has been handed to
// `broadcaster_links` of them; after that newcomers hang off the best viewers closest
// to the source (a hybrid of tree and mesh). A viewer asks for up to `peers_per_answer`
// peers and is handed to at most `viewer_links` newcomers. The two caps are separate,
// and viewer_links well above peers_per_answer, on purpose: each layer of the swarm can
// only be (uploaders' viewer_links / peers_per_answer) times the one above; at or below
// 1 the swarm becomes a chain thousands of hops deep instead of ~log(n) layers.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

// Hops of a viewer not yet linked to anyone placed.
inline constexpr std::uint32_t kUnplaced = std::numeric_limits<std::uint32_t>::max();

// Defaults equal to the server's (tools/server/limits.js).
struct SelectionLimits {
  std::uint32_t peers_per_answer = 8;   // peers a viewer is handed (it offers to them)
  std::uint32_t broadcaster_links = 20; // newcomers the broadcaster is handed to
  std::uint32_t viewer_links = 20;      // newcomers a viewer is handed to
};

// One member of the room: the same record for every seeker, so a caller can keep one
// table per room and pass it for each join. web/core/topology.js writes these byte for
// byte into the wasm heap: bindings/topology_bindings.cpp pins the layout.
struct Candidate {
  PeerId id;
  Role role = Role::kLeaf;  // kBroadcaster for the source, else the role its score earned
  bool can_upload = true;
  std::uint32_t hops = kUnplaced;  // from the broadcaster along the links it was handed
  double score = 0;                // 0..100 (peer_scorer.hpp); anything else reads as 0
  std::uint32_t down_links = 0;    // newcomers it has been handed to
  bool away = false;  // cannot answer an offer now (its signaling socket is gone)
};

struct Seeker {
  PeerId id;
  std::uint32_t up_links = 0;  // peers it has already been handed
  // Peers it is linked to (either way) or gave up on: never handed to it (again). A
  // few dozen at most, while the room may hold thousands: a list of its own rather
  // than a flag on every candidate, which would make the caller rewrite the whole
  // table for each seeker.
  std::span<const PeerId> skip = {};
};

// Up to peers_per_answer - up_links peers for the seeker, best first: the broadcaster
// while it has link room, then the best viewers with link room. Never the seeker
// itself, a peer on its skip list, or one that is away. Viewers rank by: can upload;
// near the source (at most 2 hops deeper than the shallowest uploader with room, so
// the swarm stays ~log(n) layers deep); higher role; fewer newcomers already handed
// it (newcomers spread over the near viewers rather than all starting from the same
// few); higher score; fewer hops; lower id (older), so the order is total and
// deterministic. Two passes, the second with a
// small insertion-sorted top list: O(candidates x want + skip log skip), not a sort of
// the room per join.
std::vector<PeerId> choose_peers(const Seeker& seeker, std::span<const Candidate> candidates,
                                 const SelectionLimits& limits = {});

}  // namespace swarmcast::swarm
