// Our outstanding piece requests: who was asked for what, when, and until when we wait.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

struct OutstandingRequest {
  PeerId peer;
  TimeMs sent_at;
  TimeMs expires_at;
  std::uint32_t bytes;
};

class RequestTracker {
 public:
  void add(ChunkSeq seq, PieceIndex piece, OutstandingRequest request);
  // The piece arrived from `peer`; returns how long its request took, if it was ours.
  std::optional<TimeMs> complete(ChunkSeq seq, PieceIndex piece, PeerId peer, TimeMs now);
  // Drops every request of a piece (it arrived from someone, or left the window).
  void forget_piece(ChunkSeq seq, PieceIndex piece);
  void forget_before(ChunkSeq seq);
  // Removes and returns the peers of requests past their expiry.
  std::vector<PeerId> expire(TimeMs now);
  void drop_peer(PeerId peer);

  const std::vector<OutstandingRequest>* find(ChunkSeq seq, PieceIndex piece) const;
  std::uint64_t inflight_bytes(PeerId peer) const;
  std::size_t size() const { return requests_.size(); }

 private:
  using Key = std::pair<ChunkSeq, PieceIndex>;
  void subtract(const OutstandingRequest& r);

  std::map<Key, std::vector<OutstandingRequest>> requests_;
  std::map<PeerId, std::uint64_t> inflight_;
};

}  // namespace swarmcast::swarm
