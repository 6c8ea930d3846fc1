// Embind wrapper of swarm::choose_peers. A room of 10,000 viewers crosses as one block
// of swarm::Candidate records that web/core/topology.js (CandidateTable, their only
// writer) lays out in the heap byte for byte, then the seeker's skip list as PeerIds:
// no JS object per member, and no field-by-field conversion on this side either, which
// was most of a join's time in a big room.
#include <emscripten/bind.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "swarm/peer_selection.hpp"

namespace swarmcast::bindings {
namespace {

using emscripten::val;
using swarm::Candidate;

// The layout CandidateTable writes; a change here must change it there.
static_assert(sizeof(Candidate) == 32 && alignof(Candidate) == 8);
static_assert(offsetof(Candidate, id) == 0 && offsetof(Candidate, role) == 8 && offsetof(Candidate, can_upload) == 9 &&
              offsetof(Candidate, hops) == 12 && offsetof(Candidate, score) == 16 &&
              offsetof(Candidate, down_links) == 24 && offsetof(Candidate, away) == 28);
static_assert(sizeof(swarm::PeerId) == 8);

// `pointer`: `count` Candidates, then `skips` PeerIds (8-byte aligned, as malloc
// returns). Returns the chosen peer ids, best first.
val choose_peers(std::uintptr_t pointer, std::uint32_t count, std::uint32_t skips, double seeker,
                 std::uint32_t seeker_up_links, std::uint32_t peers_per_answer, std::uint32_t broadcaster_links,
                 std::uint32_t viewer_links) {
  const auto* candidates = reinterpret_cast<const Candidate*>(pointer);
  const auto* skip = reinterpret_cast<const swarm::PeerId*>(candidates + count);
  // web/core checks the seeker's id (an integer below 2^53).
  const swarm::Seeker who{swarm::PeerId{static_cast<std::uint64_t>(seeker)}, seeker_up_links, {skip, skips}};
  const auto chosen = swarm::choose_peers(who, std::span(candidates, count),
                                          {peers_per_answer, broadcaster_links, viewer_links});
  val out = val::array();
  for (swarm::PeerId id : chosen) out.call<void>("push", static_cast<double>(id.value));
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_topology) { emscripten::function("choosePeers", &choose_peers); }

}  // namespace swarmcast::bindings
