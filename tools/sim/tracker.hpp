// The simulator's signaling server, as far as topology goes: what tools/server keeps of
// each member (hops, score and role, the links it handed out in each direction, the
// peers each side gave up on) and the product's own peer selection
// (swarm::choose_peers) deciding whom a viewer is handed on join and on peers-request.
// Nodes are indices (the broadcaster is 0), as in SwarmSim.
#pragma once

#include <cstdint>
#include <vector>

#include "core/strong_types.hpp"
#include "swarm/engine_stats.hpp"
#include "swarm/peer_selection.hpp"
#include "swarm/swarm_types.hpp"

namespace swarmcast::sim {

class Tracker {
 public:
  explicit Tracker(swarm::SelectionLimits limits) : limits_(limits) {}

  // Node 0 joins as the broadcaster, then each viewer with the next index. A viewer's
  // score stands on the upload it declared until its first stats report, as on the
  // server.
  void add_broadcaster();
  void add_viewer(double declared_bytes_per_s, bool can_upload, TimeMs now);

  // The peers `seeker` is handed now, best first, with the links recorded (the caller
  // connects them): the server's assignPeers.
  std::vector<std::size_t> assign(std::size_t seeker);
  // The link between a and b closed: both ends tell the server (unlink), and each is
  // not handed the other again.
  void unlink(std::size_t a, std::size_t b);
  void remove(std::size_t index);

  // A stats report: what the node's engine counted of itself since its last report
  // (the server's scoreMember on a 'stats' message).
  void report(std::size_t index, const swarm::EngineStats& stats, const swarm::DeviceConstraints& device,
              TimeMs now);

  swarm::Role role(std::size_t index) const { return candidates_[index].role; }
  // Links where `index` is the peer handed to a newcomer.
  std::size_t down_links(std::size_t index) const { return members_[index].down.size(); }

 private:
  // What the server keeps of a member besides its Candidate fields.
  struct Member {
    TimeMs joined_at{0};
    std::vector<std::size_t> up, down;  // peers it was handed; newcomers it was handed to
    std::vector<std::size_t> avoided;   // oldest first, bounded as on the server
    bool reported = false;              // a first report started the count
    TimeMs reported_at{0};
    std::uint64_t media_sent_at_report = 0;
  };

  void rescore(std::size_t index, swarm::PeerStats stats, TimeMs now);

  swarm::SelectionLimits limits_;
  std::vector<Member> members_;
  // Each member's record as choose_peers reads it, kept up to date in place: a call
  // scans them, it does not build them.
  std::vector<swarm::Candidate> candidates_;
};

}  // namespace swarmcast::sim
