// What the engine keeps about one connected peer.
#pragma once

#include <deque>

#include "swarm/engine.hpp"

namespace swarmcast::swarm {

struct Engine::Remote {
  // What every tick reads of every peer comes first, close together: a tick walks all
  // peers several times, and in a simulation of thousands of engines each walk misses
  // the cache.
  PeerId id;
  bool handshaken = false;
  bool is_source = false;     // the broadcaster: asked only as a last resort
  bool choked_by_them = true;
  bool we_choke = true;
  std::uint64_t buffered = 0;  // transport backlog towards them
  TimeMs last_heard{0};
  TimeMs last_ping{0};
  PieceAvailability availability;
  PeerStats stats;
  std::deque<std::pair<ChunkId, PieceIndex>> to_send;  // their requests, and pushed stripes
  FlatSet<ChunkId> headers_sent;
  FlatSet<InitId> inits_sent;
  std::uint32_t ping_nonce = 0;
  std::optional<TimeMs> ping_sent_at;
  std::optional<TimeMs> busy_since;  // start of the current delivery-rate sample
  std::uint64_t busy_bytes = 0;      // delivered since busy_since
  std::optional<RateLimit> chat_limit;  // from its first chat line
  std::optional<RenditionId> playing;   // what it said it plays (wire::Playing): a hint
};

// What a peer's Handshake or DeviceStatus declares of its device.
template <typename DeviceMessage>
DeviceConstraints declared_device(const DeviceMessage& m) {
  return DeviceConstraints{m.metered, m.battery_low, m.hidden, m.upload_budget_bytes_per_s, m.upload_choice};
}

// Exponentially weighted moving average; the first sample is taken as is.
inline void smooth(double& average, double sample, double weight = 0.25) {
  average = average == 0 ? sample : average + weight * (sample - average);
}

}  // namespace swarmcast::swarm
