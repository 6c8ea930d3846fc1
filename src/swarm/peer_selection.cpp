#include "swarm/peer_selection.hpp"

#include <algorithm>
#include <cmath>

namespace swarmcast::swarm {
namespace {

// The order was shaped in the simulator (docs/SIMULATOR.md). Ranked by hops first (the
// server's rule before), each layer filled to its last slot before the next was used,
// so the last newcomers of a layer hung off its slowest viewers: in mesh-100 the
// startup p95 was 8.8 s and continuity 0.953; in churn-1000, 5.4 s and 0.950. Ranked
// by score alone, 10,000 joins made a chain 89 hops deep. Ranked by score within a
// window of layers, consecutive newcomers were all handed the same best eight, each
// then handed 20 newcomers that started from it at once: churn-1000 (33 joins a
// second) took 9.7 s to start. Within two hops of the shallowest layer with room and
// within a role, the viewer handed the fewest newcomers comes first (then the better
// score): newcomers spread over the near viewers, mesh-100 starts within 1.2 s at a
// continuity of 0.9996, churn-1000 within 1.5 s at 0.9945, and 10,000 joins stay
// within 7 hops.
constexpr std::uint32_t kNearHops = 2;

// A score from outside (a server's record, a record written by JS) that is not a number
// must not break the order's totality: it counts as the lowest.
double usable(double score) { return std::isfinite(score) ? score : 0; }

// The viewers' order, given how deep "near the source" reaches.
struct Better {
  std::uint32_t near;
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.can_upload != b.can_upload) return a.can_upload;
    const bool near_a = a.hops <= near, near_b = b.hops <= near;
    if (near_a != near_b) return near_a;
    // Role enumerators run from the most to the least able to serve.
    if (a.role != b.role) return a.role < b.role;
    if (a.down_links != b.down_links) return a.down_links < b.down_links;
    const double score_a = usable(a.score), score_b = usable(b.score);
    if (score_a != score_b) return score_a > score_b;
    if (a.hops != b.hops) return a.hops < b.hops;
    return a.id < b.id;
  }
};

bool has_room(const Candidate& c, const SelectionLimits& limits) {
  return !c.away && c.down_links < (c.role == Role::kBroadcaster ? limits.broadcaster_links : limits.viewer_links);
}

// Hops up to which a viewer is near the source: kNearHops below the shallowest viewer
// that can upload and still has room.
std::uint32_t near_reach(std::span<const Candidate> candidates, const SelectionLimits& limits) {
  std::uint32_t shallowest = kUnplaced;
  for (const Candidate& c : candidates)
    if (c.role != Role::kBroadcaster && c.can_upload && has_room(c, limits)) shallowest = std::min(shallowest, c.hops);
  return shallowest >= kUnplaced - kNearHops ? kUnplaced : shallowest + kNearHops;
}

// The seeker itself and its skip list, sorted; looked up only for the few candidates
// that would make the answer, so a big room costs no lookup per member.
class Excluded {
 public:
  explicit Excluded(const Seeker& seeker) : self_(seeker.id), skip_(seeker.skip.begin(), seeker.skip.end()) {
    std::sort(skip_.begin(), skip_.end());
  }
  bool operator()(PeerId id) const { return id == self_ || std::binary_search(skip_.begin(), skip_.end(), id); }

 private:
  PeerId self_;
  std::vector<PeerId> skip_;
};

}  // namespace

std::vector<PeerId> choose_peers(const Seeker& seeker, std::span<const Candidate> candidates,
                                 const SelectionLimits& limits) {
  std::vector<PeerId> chosen;
  if (seeker.up_links >= limits.peers_per_answer) return chosen;
  const std::size_t want = limits.peers_per_answer - seeker.up_links;
  const Excluded excluded(seeker);
  for (const Candidate& c : candidates)
    if (c.role == Role::kBroadcaster && has_room(c, limits) && chosen.size() < want && !excluded(c.id))
      chosen.push_back(c.id);
  const std::size_t slots = want - chosen.size();
  if (slots == 0) return chosen;
  const Better better{near_reach(candidates, limits)};
  std::vector<const Candidate*> top;
  top.reserve(slots + 1);
  for (const Candidate& c : candidates) {
    if (c.role == Role::kBroadcaster || !has_room(c, limits)) continue;
    if (top.size() == slots && !better(c, *top.back())) continue;
    if (excluded(c.id)) continue;
    auto at = top.end();
    while (at != top.begin() && better(c, **(at - 1))) --at;
    top.insert(at, &c);
    if (top.size() > slots) top.pop_back();
  }
  for (const Candidate* c : top) chosen.push_back(c->id);
  return chosen;
}

}  // namespace swarmcast::swarm
