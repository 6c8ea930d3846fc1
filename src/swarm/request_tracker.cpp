#include "swarm/request_tracker.hpp"

#include <algorithm>
#include <tuple>

namespace swarmcast::swarm {
namespace {

auto key_of(const PieceRequest& r) { return std::tie(r.id, r.piece); }

}  // namespace

RequestTracker::Iterator RequestTracker::after(ChunkId id, PieceIndex piece) {
  const auto key = std::tie(id, piece);
  // Requests mostly go to the newest pieces: then this is the end, found at once.
  if (requests_.empty() || !(key < key_of(requests_.back()))) return requests_.end();
  return std::upper_bound(requests_.begin(), requests_.end(), key,
                          [](const auto& k, const PieceRequest& r) { return k < key_of(r); });
}

void RequestTracker::add(ChunkId id, PieceIndex piece, OutstandingRequest request) {
  inflight_[request.peer] += request.bytes;
  next_expiry_ = std::min(next_expiry_, request.expires_at);
  requests_.insert(after(id, piece), {id, piece, request});
}

void RequestTracker::subtract(const OutstandingRequest& r) {
  auto it = inflight_.find(r.peer);
  if (it == inflight_.end()) return;
  it->second -= std::min(it->second, std::uint64_t{r.bytes});
  if (it->second == 0) inflight_.erase(it);
}

std::pair<RequestTracker::Iterator, RequestTracker::Iterator> RequestTracker::of_piece(ChunkId id, PieceIndex piece) {
  const auto last = after(id, piece);
  auto first = last;
  while (first != requests_.begin() && key_of(*std::prev(first)) == std::tie(id, piece)) --first;
  return {first, last};
}

std::optional<TimeMs> RequestTracker::complete(ChunkId id, PieceIndex piece, PeerId peer, TimeMs now,
                                               std::vector<PeerId>& also_asked) {
  const auto [first, last] = of_piece(id, piece);
  std::optional<TimeMs> took;
  also_asked.clear();
  for (auto it = first; it != last; ++it) {
    if (it->request.peer == peer) took = TimeMs{now.value - it->request.sent_at.value};
    else also_asked.push_back(it->request.peer);
    subtract(it->request);
  }
  requests_.erase(first, last);
  return took;
}

void RequestTracker::forget_piece(ChunkId id, PieceIndex piece) {
  const auto [first, last] = of_piece(id, piece);
  for (auto it = first; it != last; ++it) subtract(it->request);
  requests_.erase(first, last);
}

void RequestTracker::forget_before(ChunkSeq seq) {
  const auto end = std::lower_bound(requests_.begin(), requests_.end(), seq,
                                    [](const PieceRequest& r, ChunkSeq s) { return r.id.seq < s; });
  for (auto it = requests_.begin(); it != end; ++it) subtract(it->request);
  requests_.erase(requests_.begin(), end);
}

std::vector<PieceRequest> RequestTracker::expire(TimeMs now) {
  std::vector<PieceRequest> late;
  if (now < next_expiry_) return late;
  next_expiry_ = TimeMs{std::numeric_limits<std::int64_t>::max()};
  auto kept = requests_.begin();
  for (const PieceRequest& r : requests_) {
    if (r.request.expires_at.value <= now.value) {
      late.push_back(r);
      subtract(r.request);
    } else {
      next_expiry_ = std::min(next_expiry_, r.request.expires_at);
      *kept++ = r;
    }
  }
  requests_.erase(kept, requests_.end());
  return late;
}

void RequestTracker::drop_peer(PeerId peer) {
  std::erase_if(requests_, [&](const PieceRequest& r) { return r.request.peer == peer; });
  inflight_.erase(peer);
}

std::span<const PieceRequest> RequestTracker::of_chunk(ChunkId id) const {
  const auto first = std::lower_bound(requests_.begin(), requests_.end(), id,
                                      [](const PieceRequest& r, ChunkId c) { return r.id < c; });
  auto last = first;
  while (last != requests_.end() && last->id == id) ++last;
  // Pointer and size: Emscripten's libc++ has no span constructor from iterators.
  return {requests_.data() + (first - requests_.begin()), static_cast<std::size_t>(last - first)};
}

std::uint64_t RequestTracker::inflight_bytes(PeerId peer) const {
  auto it = inflight_.find(peer);
  return it == inflight_.end() ? 0 : it->second;
}

}  // namespace swarmcast::swarm
