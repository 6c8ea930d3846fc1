#include "swarm/request_tracker.hpp"

#include <algorithm>

namespace swarmcast::swarm {

void RequestTracker::add(ChunkSeq seq, PieceIndex piece, OutstandingRequest request) {
  inflight_[request.peer] += request.bytes;
  requests_[{seq, piece}].push_back(request);
}

void RequestTracker::subtract(const OutstandingRequest& r) {
  auto it = inflight_.find(r.peer);
  if (it == inflight_.end()) return;
  it->second -= std::min(it->second, std::uint64_t{r.bytes});
  if (it->second == 0) inflight_.erase(it);
}

std::optional<TimeMs> RequestTracker::complete(ChunkSeq seq, PieceIndex piece, PeerId peer, TimeMs now) {
  auto it = requests_.find({seq, piece});
  if (it == requests_.end()) return std::nullopt;
  std::optional<TimeMs> took;
  for (const OutstandingRequest& r : it->second) {
    if (r.peer == peer) took = TimeMs{now.value - r.sent_at.value};
    subtract(r);
  }
  requests_.erase(it);
  return took;
}

void RequestTracker::forget_piece(ChunkSeq seq, PieceIndex piece) {
  auto it = requests_.find({seq, piece});
  if (it == requests_.end()) return;
  for (const OutstandingRequest& r : it->second) subtract(r);
  requests_.erase(it);
}

void RequestTracker::forget_before(ChunkSeq seq) {
  auto end = requests_.lower_bound({seq, PieceIndex{0}});
  for (auto it = requests_.begin(); it != end; ++it)
    for (const OutstandingRequest& r : it->second) subtract(r);
  requests_.erase(requests_.begin(), end);
}

std::vector<PeerId> RequestTracker::expire(TimeMs now) {
  std::vector<PeerId> late;
  for (auto it = requests_.begin(); it != requests_.end();) {
    auto& list = it->second;
    for (auto r = list.begin(); r != list.end();) {
      if (r->expires_at.value <= now.value) {
        late.push_back(r->peer);
        subtract(*r);
        r = list.erase(r);
      } else {
        ++r;
      }
    }
    it = list.empty() ? requests_.erase(it) : std::next(it);
  }
  return late;
}

void RequestTracker::drop_peer(PeerId peer) {
  for (auto it = requests_.begin(); it != requests_.end();) {
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(), [&](const OutstandingRequest& r) { return r.peer == peer; }),
               list.end());
    it = list.empty() ? requests_.erase(it) : std::next(it);
  }
  inflight_.erase(peer);
}

const std::vector<OutstandingRequest>* RequestTracker::find(ChunkSeq seq, PieceIndex piece) const {
  auto it = requests_.find({seq, piece});
  return it == requests_.end() ? nullptr : &it->second;
}

std::uint64_t RequestTracker::inflight_bytes(PeerId peer) const {
  auto it = inflight_.find(peer);
  return it == inflight_.end() ? 0 : it->second;
}

}  // namespace swarmcast::swarm
