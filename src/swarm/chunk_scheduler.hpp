// Which pieces to ask for, from whom, now. One pure function over plain data:
//  - urgent chunks (deadline close) first, in playback order, each missing piece from
//    the fastest peer with room in its pipeline; a piece whose request is at risk of
//    missing the deadline may be asked of a second peer;
//  - beyond the urgent window, rarest piece first, so the swarm spreads what is scarce;
//  - a peer's pipeline is sized to its measured throughput x (RTT + margin), so fast
//    peers get more in flight and slow ones are not overloaded;
//  - the source (last resort) is asked only for urgent pieces nobody else holds;
//  - when no peer holds a piece of an urgent chunk close to its deadline and an HTTP
//    origin exists, the chunk is fetched over HTTP instead.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "swarm/piece_availability.hpp"
#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

struct SchedulerConfig {
  std::uint32_t urgent_window_ms = 1500;
  std::uint32_t source_margin_ms = 700;         // the source is asked only this close to a deadline
  std::uint32_t http_fallback_margin_ms = 800;  // fetch over HTTP this long before the deadline
  bool http_origin = false;
  std::uint32_t max_pieces_per_request = 8;
  double pipeline_margin_ms = 150;             // added to RTT when sizing pipelines
  double min_pipeline_bytes = 2.0 * 16384;
  // Assumed for a peer not yet measured: about the stream's own rate, so a joiner asks
  // its first peers for a whole chunk at once rather than a piece or two per round trip
  // (64 KiB/s made the first chunk the longest phase of a browser viewer's startup;
  // mesh-100 startup p95 1.31 -> 1.20 s).
  double unknown_throughput_bytes_per_s = 256 * 1024;
};

enum class PieceState : std::uint8_t { kHave, kMissing, kInflight, kInflightAtRisk };

struct WantedChunk {
  ChunkId id;
  TimeMs deadline;                 // when the player needs it
  std::uint32_t last_piece_bytes;  // pieces are 16 KiB except the last
  std::vector<PieceState> pieces;
  std::vector<PeerId> asked;       // per piece: the peer asked, while in flight
  bool never_of_source = false;    // held for others: not worth the source's upload
};

// Peer ids start at 1; PeerId{0} means "nobody".
struct PeerCandidate {
  PeerId id;
  bool choking_us = false;
  double throughput_bytes_per_s = 0;  // 0: not measured yet
  double rtt_ms = 0;
  std::uint64_t inflight_bytes = 0;
  const PieceAvailability* availability = nullptr;
  // The broadcaster: asked only for urgent pieces no other peer can give, so that the
  // swarm, not the source, carries the stream.
  bool last_resort = false;
};

struct RequestAction {
  PeerId peer;
  ChunkId id;
  PieceIndex first;
  std::uint16_t count;
};

struct SchedulerDecision {
  std::vector<RequestAction> requests;
  std::vector<ChunkId> http_fetches;
};

// `wanted` in playback order. `link_room_bytes`: how much more the viewer's own link
// takes in flight, whoever serves it (pieces asked beyond it only queue on the link).
SchedulerDecision pick_requests(std::span<const WantedChunk> wanted, std::span<const PeerCandidate> peers, TimeMs now,
                                const SchedulerConfig& config = {},
                                double link_room_bytes = std::numeric_limits<double>::infinity());

}  // namespace swarmcast::swarm
