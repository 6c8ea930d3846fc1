// Vocabulary shared by the swarm engine's parts: peers, roles, and what is measured
// about a peer.
#pragma once

#include <cstdint>

#include "core/strong_types.hpp"

namespace swarmcast::swarm {

using PeerId = Strong<struct PeerIdTag, std::uint64_t>;

// From the brief: the broadcaster is the source; super-seeds (score 75+) form the
// backbone near it, relays (50-74) below, leaves (< 50) at the edge.
enum class Role : std::uint8_t { kBroadcaster = 0, kSuperSeed = 1, kRelay = 2, kLeaf = 3 };

// What a peer declares about its device (handshake capabilities).
struct DeviceConstraints {
  bool metered = false;       // mobile data: do not upload
  bool battery_low = false;   // battery under 30 % and not charging: do not upload
  bool hidden = false;        // backgrounded tab: do not upload
  std::uint32_t upload_budget_bytes_per_s = 0;  // 0: no declared limit
  bool can_upload() const { return !metered && !battery_low && !hidden; }
};

// What this engine has measured about one remote peer, over the peer's lifetime.
struct PeerStats {
  TimeMs connected_at{0};
  double delivery_bytes_per_s = 0;  // smoothed rate of verified bytes received from it
  double rtt_ms = 0;                // smoothed ping round trip; 0 when unmeasured
  std::uint32_t requests_sent = 0;  // piece requests we sent it
  std::uint32_t requests_served = 0;  // of those, answered with a piece that verified
  std::uint32_t requests_failed = 0;  // timed out or cancelled for lateness
  std::uint32_t bad_pieces = 0;       // pieces that failed verification
  DeviceConstraints device;
};

}  // namespace swarmcast::swarm
