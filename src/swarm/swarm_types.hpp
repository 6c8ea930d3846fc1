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

// The viewer's own upload setting. Auto follows the device rules below; Off and a cap
// are the viewer's choice and win over them (a cap on mobile data is a choice made).
enum class UploadChoice : std::uint8_t { kAuto = 0, kOff = 1, kCap = 2 };

// What a peer declares about its device (handshake, then DeviceStatus on each change).
// The rules for kAuto: metered or battery_low, no upload; hidden, a reduced rate
// (upload_policy.hpp's upload_allowance).
struct DeviceConstraints {
  bool metered = false;       // mobile data or Save-Data
  bool battery_low = false;   // battery under 30 % and not charging
  bool hidden = false;        // backgrounded tab
  // kAuto: a declared limit (0: none); kCap: the viewer's cap (0: nothing, as Off).
  std::uint32_t upload_budget_bytes_per_s = 0;
  UploadChoice choice = UploadChoice::kAuto;
  bool can_upload() const {
    switch (choice) {
      case UploadChoice::kOff: return false;
      case UploadChoice::kCap: return upload_budget_bytes_per_s > 0;
      case UploadChoice::kAuto: break;
    }
    return !metered && !battery_low;
  }
  bool operator==(const DeviceConstraints&) const = default;
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
