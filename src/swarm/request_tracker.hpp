// Our outstanding piece requests: who was asked for what, when, and until when we wait.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/flat_map.hpp"
#include "swarm/swarm_types.hpp"

namespace swarmcast::swarm {

struct OutstandingRequest {
  PeerId peer;
  TimeMs sent_at;
  TimeMs expires_at;
  std::uint32_t bytes;
};

struct PieceRequest {
  ChunkId id;
  PieceIndex piece;
  OutstandingRequest request;
};

class RequestTracker {
 public:
  void add(ChunkId id, PieceIndex piece, OutstandingRequest request);
  // The piece arrived from `peer`; returns how long its request took, if it was ours.
  // `also_asked` gets the other peers asked for it (to cancel: their copy is not needed).
  std::optional<TimeMs> complete(ChunkId id, PieceIndex piece, PeerId peer, TimeMs now, std::vector<PeerId>& also_asked);
  // Drops every request of a piece (it arrived from someone, or left the window).
  void forget_piece(ChunkId id, PieceIndex piece);
  // Drops the requests for every rendition's chunks before `seq`.
  void forget_before(ChunkSeq seq);
  // Removes and returns the requests past their expiry.
  std::vector<PieceRequest> expire(TimeMs now);
  void drop_peer(PeerId peer);

  // The requests for pieces of chunk `id`: by ascending piece, a piece's requests in
  // the order they were sent. One search for the chunk rather than one per piece.
  std::span<const PieceRequest> of_chunk(ChunkId id) const;
  std::uint64_t inflight_bytes(PeerId peer) const;
  std::size_t size() const { return requests_.size(); }

 private:
  void subtract(const OutstandingRequest& r);
  using Iterator = std::vector<PieceRequest>::iterator;
  // The first request after those for (id, piece).
  Iterator after(ChunkId id, PieceIndex piece);
  std::pair<Iterator, Iterator> of_piece(ChunkId id, PieceIndex piece);

  // By (id, piece), then in the order sent: one flat array, as a piece rarely has more
  // than one request (a map of lists cost a cache miss per piece per tick).
  std::vector<PieceRequest> requests_;
  FlatMap<PeerId, std::uint64_t> inflight_;
  // No request expires before this (a bound, not necessarily met): most ticks expire
  // nothing, and need not walk every request to find that out.
  TimeMs next_expiry_{std::numeric_limits<std::int64_t>::max()};
};

}  // namespace swarmcast::swarm
