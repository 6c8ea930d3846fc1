// The chunk scheduler, with windows and peers written as short literals:
//   chunk pieces: '.' missing, 'x' have, 'r' requested, '!' requested but late
//   peer holdings: '1' has the piece, '0' not; "*" the whole chunk
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "swarm/chunk_scheduler.hpp"

namespace swarmcast::test {
namespace {

using swarm::PeerCandidate;
using swarm::PeerId;
using swarm::PieceState;
using swarm::RequestAction;
using swarm::WantedChunk;

constexpr TimeMs kNow{100'000};

WantedChunk chunk(std::uint64_t seq, std::int64_t ms_to_deadline, const std::string& pieces, PeerId asked = PeerId{}) {
  WantedChunk c{ChunkId{ChunkSeq{seq}}, TimeMs{kNow.value + ms_to_deadline}, 16384, {}, {}};
  for (char ch : pieces) {
    c.pieces.push_back(ch == 'x' ? PieceState::kHave
                       : ch == 'r' ? PieceState::kInflight
                       : ch == '!' ? PieceState::kInflightAtRisk
                                   : PieceState::kMissing);
    c.asked.push_back(ch == 'r' || ch == '!' ? asked : PeerId{});
  }
  return c;
}

struct Swarm {
  std::map<std::uint64_t, swarm::PieceAvailability> holdings;
  std::vector<PeerCandidate> peers;

  // holds: {seq, "1011" or "*"}
  Swarm& peer(std::uint64_t id, double kbytes_per_s, std::initializer_list<std::pair<std::uint64_t, std::string>> holds,
              bool choking = false, std::uint64_t inflight = 0) {
    swarm::PieceAvailability& a = holdings[id];
    for (const auto& [seq, bits] : holds) {
      if (bits == "*") a.set_complete(ChunkId{ChunkSeq{seq}});
      for (std::uint32_t i = 0; i < bits.size(); ++i)
        if (bits[i] == '1') a.set_piece(ChunkId{ChunkSeq{seq}}, PieceIndex{i});
    }
    peers.push_back(PeerCandidate{PeerId{id}, choking, kbytes_per_s * 1024, 50, inflight, &a});
    return *this;
  }
};

std::string describe(const std::vector<RequestAction>& requests) {
  std::string out;
  for (const auto& r : requests)
    out += "p" + std::to_string(r.peer.value) + ":" + std::to_string(r.id.seq.value) + "/" + std::to_string(r.first.value) +
           "+" + std::to_string(r.count) + " ";
  return out;
}

TEST(Scheduler, UrgentPiecesGoToTheFastestHolderGroupedIntoOneRequest) {
  Swarm s;
  s.peer(1, 200, {{10, "*"}}).peer(2, 2000, {{10, "*"}});
  const std::vector<WantedChunk> wanted{chunk(10, 500, "x...")};
  const auto d = swarm::pick_requests(wanted, s.peers, kNow);
  EXPECT_EQ(describe(d.requests), "p2:10/1+3 ");
}

TEST(Scheduler, PiecesAlreadyInFlightAreNotAskedAgain) {
  Swarm s;
  s.peer(1, 2000, {{10, "*"}});
  const std::vector<WantedChunk> wanted{chunk(10, 500, "rr.r", PeerId{1})};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p1:10/2+1 ");
}

TEST(Scheduler, ALateRequestIsDuplicatedToAnotherPeerOnly) {
  Swarm s;
  s.peer(1, 2000, {{10, "*"}}).peer(2, 500, {{10, "*"}});
  const std::vector<WantedChunk> wanted{chunk(10, 500, "xx!x", PeerId{1})};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p2:10/2+1 ");
}

TEST(Scheduler, ChokingPeersAreNotAsked) {
  Swarm s;
  s.peer(1, 2000, {{10, "*"}}, /*choking=*/true).peer(2, 100, {{10, "*"}});
  const std::vector<WantedChunk> wanted{chunk(10, 500, ".")};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p2:10/0+1 ");
}

TEST(Scheduler, PipelinesFollowThroughputTimesRtt) {
  // 64 KiB/s x (50 + 150) ms = 12.8 KiB: below the 2-piece floor, so 2 pieces; a
  // 1 MiB/s peer takes 200 KiB, more than the 12 pieces on offer.
  Swarm slow, fast;
  slow.peer(1, 64, {{10, "*"}});
  fast.peer(1, 1024, {{10, "*"}});
  const std::vector<WantedChunk> wanted{chunk(10, 500, "............")};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, slow.peers, kNow).requests), "p1:10/0+2 ");
  EXPECT_EQ(describe(swarm::pick_requests(wanted, fast.peers, kNow).requests), "p1:10/0+8 p1:10/8+4 ");
  // Bytes already in flight count against the pipeline.
  Swarm busy;
  busy.peer(1, 1024, {{10, "*"}}, false, 200 * 1024 - 3 * 16384);
  EXPECT_EQ(describe(swarm::pick_requests(wanted, busy.peers, kNow).requests), "p1:10/0+3 ");
}

TEST(Scheduler, BeyondTheUrgentWindowTheRarestPieceComesFirst) {
  // Chunk 12 is 5 s away. Piece 3 is held by one peer only; the slow peer has room for
  // two pieces, and should spend one on the rare piece.
  Swarm s;
  s.peer(1, 64, {{12, "1111"}}).peer(2, 64, {{12, "1110"}}).peer(3, 64, {{12, "1110"}});
  const std::vector<WantedChunk> wanted{chunk(12, 5000, "....")};
  const auto d = swarm::pick_requests(wanted, s.peers, kNow);
  ASSERT_FALSE(d.requests.empty());
  bool asked_rare = false;
  for (const auto& r : d.requests) asked_rare |= r.id == ChunkId{ChunkSeq{12}} && r.first.value <= 3 && r.first.value + r.count > 3;
  EXPECT_TRUE(asked_rare) << describe(d.requests);
  EXPECT_EQ(d.requests.size() <= 6, true);
}

TEST(Scheduler, UrgentChunksAreServedBeforeLaterOnes) {
  Swarm s;
  s.peer(1, 64, {{10, "*"}, {11, "*"}});  // room for two pieces
  const std::vector<WantedChunk> wanted{chunk(10, 300, "x..."), chunk(11, 1300, "....")};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p1:10/1+2 ");
}

TEST(Scheduler, NobodyHoldingAnUrgentPieceFallsBackToHttpOnlyNearTheDeadline) {
  Swarm s;
  s.peer(1, 2000, {{10, "1100"}});
  const std::vector<WantedChunk> near{chunk(10, 500, "xx..")};
  const std::vector<WantedChunk> far{chunk(10, 2000, "xx..")};
  swarm::SchedulerConfig with_origin;
  with_origin.http_origin = true;
  EXPECT_EQ(swarm::pick_requests(near, s.peers, kNow, with_origin).http_fetches, std::vector<ChunkId>{ChunkId{ChunkSeq{10}}});
  EXPECT_TRUE(swarm::pick_requests(far, s.peers, kNow, with_origin).http_fetches.empty());
  EXPECT_TRUE(swarm::pick_requests(near, s.peers, kNow).http_fetches.empty());  // no origin configured
}

TEST(Scheduler, TheSourceIsAskedOnlyForUrgentPiecesNobodyElseHas) {
  Swarm s;
  s.peer(1, 4000, {{10, "*"}, {11, "*"}}).peer(2, 100, {{10, "1100"}});
  s.peers[0].last_resort = true;
  // Urgent chunk 10: pieces 0-1 from the relay even though the source is faster;
  // pieces 2-3 only the source has. Chunk 11 is not urgent: the source is not asked.
  const std::vector<WantedChunk> wanted{chunk(10, 500, "...."), chunk(11, 5000, "....")};
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p1:10/2+2 p2:10/0+2 ");
}

TEST(Scheduler, AChunkHeldForOthersIsNeverAskedOfTheSource) {
  Swarm s;
  s.peer(1, 4000, {{10, "*"}}).peer(2, 100, {{10, "1100"}});
  s.peers[0].last_resort = true;
  // Urgent as chunk 10 above is, but held only for neighbours: the relay's pieces are
  // asked of it, those only the source has are not asked at all.
  std::vector<WantedChunk> wanted{chunk(10, 500, "....")};
  wanted[0].never_of_source = true;
  EXPECT_EQ(describe(swarm::pick_requests(wanted, s.peers, kNow).requests), "p2:10/0+2 ");
}

TEST(Scheduler, NoPeersNoRequests) {
  const std::vector<WantedChunk> wanted{chunk(10, 500, "....")};
  EXPECT_TRUE(swarm::pick_requests(wanted, {}, kNow).requests.empty());
}

TEST(PieceAvailability, RangesOfPiecesAnywhereInAChunk) {
  swarm::PieceAvailability a;
  a.set_pieces(ChunkId{ChunkSeq{3}}, PieceIndex{60}, 10);
  a.set_piece(ChunkId{ChunkSeq{3}}, PieceIndex{1023});
  a.set_piece(ChunkId{ChunkSeq{3}}, PieceIndex{1024});  // past the wire limit: ignored
  for (std::uint32_t p : {60u, 63u, 64u, 69u, 1023u}) EXPECT_TRUE(a.has(ChunkId{ChunkSeq{3}}, PieceIndex{p})) << p;
  for (std::uint32_t p : {0u, 59u, 70u, 128u, 1024u}) EXPECT_FALSE(a.has(ChunkId{ChunkSeq{3}}, PieceIndex{p})) << p;
  EXPECT_EQ(a.chunk(ChunkId{ChunkSeq{4}}), nullptr);
  a.set_complete(ChunkId{ChunkSeq{4}});
  EXPECT_TRUE(a.has(ChunkId{ChunkSeq{4}}, PieceIndex{500}));
  a.forget_before(ChunkSeq{4});
  EXPECT_EQ(a.chunk(ChunkId{ChunkSeq{3}}), nullptr);
}

}  // namespace
}  // namespace swarmcast::test
