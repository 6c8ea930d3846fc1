// Who a viewer is handed: the broadcaster while it has room, then the best viewers near
// the source by upload, role and score; never itself, a peer it has, one it gave up
// on, one that is away or one that is full.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "swarm/peer_selection.hpp"

namespace swarmcast::swarm {
namespace {

constexpr PeerId kSeeker{100};

// A room from a literal, one candidate per word: "B" the broadcaster; "S", "R", "L" a
// super-seed, relay or leaf viewer; then its hops ("?" unplaced) and, after ":", how
// many newcomers it was handed. Ids run 1, 2, 3... in the literal's order; scores
// follow the role (90, 60, 20). "B0:3 S1:0 L2:5" is a source with three newcomers, a
// super-seed one hop away and a leaf two hops away with five.
std::vector<Candidate> room(const std::string& literal) {
  std::vector<Candidate> out;
  std::size_t at = 0;
  while (at < literal.size()) {
    const std::size_t end = std::min(literal.find(' ', at), literal.size());
    const std::string word = literal.substr(at, end - at);
    at = end + 1;
    Candidate c;
    c.id = PeerId{out.size() + 1};
    const char kind = word[0];
    c.role = kind == 'B' ? Role::kBroadcaster : kind == 'S' ? Role::kSuperSeed : kind == 'R' ? Role::kRelay : Role::kLeaf;
    c.score = kind == 'S' ? 90 : kind == 'R' ? 60 : 20;
    const std::size_t colon = word.find(':');
    const std::string hops = word.substr(1, colon - 1);
    c.hops = hops == "?" ? kUnplaced : static_cast<std::uint32_t>(std::stoul(hops));
    c.down_links = static_cast<std::uint32_t>(std::stoul(word.substr(colon + 1)));
    out.push_back(c);
  }
  return out;
}

std::vector<std::uint64_t> ids(const std::vector<PeerId>& peers) {
  std::vector<std::uint64_t> out;
  for (PeerId p : peers) out.push_back(p.value);
  return out;
}

std::vector<std::uint64_t> choose(const std::vector<Candidate>& candidates, std::uint32_t up_links = 0,
                                  SelectionLimits limits = {}, std::vector<PeerId> skip = {}) {
  return ids(choose_peers({kSeeker, up_links, skip}, candidates, limits));
}

using Ids = std::vector<std::uint64_t>;

TEST(PeerSelection, BroadcasterFirstThenTheBestViewersNearTheSource) {
  EXPECT_EQ(choose(room("L3:0 R2:0 B0:0 S1:0")), (Ids{3, 4, 2, 1}));
  EXPECT_EQ(choose(room("L1:0 S3:0 R2:0 R3:0")), (Ids{2, 3, 4, 1})) << "within 2 hops of the shallowest: by role";
}

TEST(PeerSelection, BeyondTwoHopsOfTheShallowestLayerWithRoomTheNearerWins) {
  EXPECT_EQ(choose(room("S4:0 L1:0 S3:0")), (Ids{3, 2, 1}));
  // Once the shallowest layer is full, the window moves down with it.
  EXPECT_EQ(choose(room("L1:0 S4:0 L2:0 S5:0")), (Ids{1, 3, 2, 4}));
  EXPECT_EQ(choose(room("L1:20 S4:0 L2:0 S5:0")), (Ids{2, 3, 4}));
}

TEST(PeerSelection, AFullBroadcasterIsSkipped) {
  EXPECT_EQ(choose(room("B0:20 R1:0")), (Ids{2}));
  EXPECT_EQ(choose(room("B0:19 R1:0")), (Ids{1, 2}));
  EXPECT_EQ(choose(room("B0:2 R1:0"), 0, {.peers_per_answer = 8, .broadcaster_links = 2}), (Ids{2}));
}

TEST(PeerSelection, UploadersComeBeforeAnyoneWhoCannotUpload) {
  auto candidates = room("S1:0 R3:0");
  candidates[0].can_upload = false;
  EXPECT_EQ(choose(candidates), (Ids{2, 1}));
}

TEST(PeerSelection, NearTheSourceTheHigherRoleThenFewerNewcomersThenScoreThenFewerHopsThenOlder) {
  EXPECT_EQ(choose(room("L2:0 R2:0 S2:5")), (Ids{3, 2, 1}));
  auto busier = room("R2:3 R2:1 R2:1");
  busier[0].score = 99;
  busier[2].score = 70;
  EXPECT_EQ(choose(busier), (Ids{3, 2, 1})) << "newcomers spread before the score counts";
  EXPECT_EQ(choose(room("R3:0 R2:0")), (Ids{2, 1}));
  EXPECT_EQ(choose(room("R2:5 R2:1 R2:1")), (Ids{2, 3, 1}));
}

TEST(PeerSelection, UnplacedViewersComeLast) { EXPECT_EQ(choose(room("S?:0 L4:0")), (Ids{2, 1})); }

TEST(PeerSelection, FullSkippedAwayAndSelfAreNeverHanded) {
  auto candidates = room("R1:20 R1:0 R1:0 R1:0 R1:0 R1:0");
  candidates[3].away = true;
  candidates[4].id = kSeeker;
  EXPECT_EQ(choose(candidates, 0, {}, {PeerId{3}, PeerId{2}}), (Ids{6}));
  EXPECT_EQ(choose(room("B0:0 R1:0"), 0, {}, {PeerId{1}}), (Ids{2}));
  auto source = room("B0:0");
  source[0].away = true;
  EXPECT_EQ(choose(source), Ids{});
}

TEST(PeerSelection, ASkippedPeerLeavesItsPlaceToTheNextBest) {
  // Candidates 2 and 3 would make the answer; skipped, 4 and 5 take their places.
  EXPECT_EQ(choose(room("L3:0 S1:0 S1:0 R2:0 R3:0"), 0, {.peers_per_answer = 2}, {PeerId{3}, PeerId{2}}),
            (Ids{4, 5}));
}

TEST(PeerSelection, AsksOnlyForWhatTheSeekerLacks) {
  const auto candidates = room("B0:0 S1:0 S1:1 R1:0 R2:0");
  EXPECT_EQ(choose(candidates, 6), (Ids{1, 2}));
  EXPECT_EQ(choose(candidates, 8), Ids{});
  EXPECT_EQ(choose(candidates, 9), Ids{});
  EXPECT_EQ(choose(candidates, 0, {.peers_per_answer = 3}), (Ids{1, 2, 3}));
}

TEST(PeerSelection, AnEmptyRoomHandsNobody) { EXPECT_EQ(choose({}), Ids{}); }

TEST(PeerSelection, ScoresThatAreNotNumbersCountAsZero) {
  auto candidates = room("R2:0 R2:0 R2:0");
  candidates[0].score = std::numeric_limits<double>::quiet_NaN();
  candidates[1].score = 1;
  candidates[2].score = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(choose(candidates), (Ids{2, 1, 3}));
}

// Every newcomer joins through choose_peers and links as the server does (its hops one
// more than its best peer's): the swarm stays a few layers deep and every cap holds.
TEST(PeerSelection, ThreeThousandJoinsMakeAShallowSwarm) {
  std::vector<Candidate> members = room("B0:0");
  for (std::uint64_t id = 2; id <= 3001; ++id) {
    Candidate newcomer;
    newcomer.id = PeerId{id};
    newcomer.can_upload = id % 3 != 0;
    newcomer.role = !newcomer.can_upload ? Role::kLeaf : id % 5 == 0 ? Role::kSuperSeed : Role::kRelay;
    newcomer.score = static_cast<double>(id * 7919 % 100);
    const auto chosen = choose_peers({newcomer.id}, members);
    ASSERT_EQ(chosen.size(), std::min<std::size_t>(8, id - 1));
    for (PeerId peer : chosen) {
      Candidate& up = members[peer.value - 1];
      ++up.down_links;
      newcomer.hops = std::min(newcomer.hops, up.hops + 1);
    }
    members.push_back(newcomer);
  }
  const SelectionLimits limits;
  std::uint32_t deepest = 0;
  for (const Candidate& c : members) {
    EXPECT_LE(c.down_links, c.role == Role::kBroadcaster ? limits.broadcaster_links : limits.viewer_links);
    deepest = std::max(deepest, c.hops);
  }
  EXPECT_EQ(members[0].down_links, limits.broadcaster_links);
  EXPECT_LE(deepest, 8u) << "3,000 viewers within ~log(n) layers";
}

}  // namespace
}  // namespace swarmcast::swarm
