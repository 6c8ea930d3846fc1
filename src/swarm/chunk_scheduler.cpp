#include "swarm/chunk_scheduler.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include "trust/merkle.hpp"

namespace swarmcast::swarm {
namespace {

struct PeerRoom {
  const PeerCandidate* peer;
  double throughput;
  double spare_bytes;
};

struct Assignment {
  std::size_t peer;  // index into rooms
  ChunkSeq seq;
  std::uint32_t piece;
};

class Planner {
 public:
  Planner(std::span<const PeerCandidate> peers, const SchedulerConfig& config) : config_(config) {
    for (const PeerCandidate& p : peers) {
      if (p.choking_us || !p.availability) continue;
      const double throughput = p.throughput_bytes_per_s > 0 ? p.throughput_bytes_per_s : config.unknown_throughput_bytes_per_s;
      const double pipeline =
          std::max(config.min_pipeline_bytes, throughput * (p.rtt_ms + config.pipeline_margin_ms) / 1000.0);
      rooms_.push_back({&p, throughput, pipeline - static_cast<double>(p.inflight_bytes)});
    }
  }

  // What each room holds of one chunk, looked up once per chunk rather than per piece
  // and peer: a map lookup per piece and peer was 75 % of a 30-chunk, 20-peer tick.
  // Whole holders are counted once; only rooms holding part of it are asked per piece.
  struct ChunkView {
    std::vector<const PieceAvailability::Chunk*> by_room;
    std::uint32_t whole = 0;
    std::vector<std::size_t> partial;  // rooms holding some pieces
  };
  void view(ChunkSeq seq, ChunkView& out) const {
    out.by_room.resize(rooms_.size());
    for (std::size_t i = 0; i < rooms_.size(); ++i) {
      const PieceAvailability::Chunk* c = rooms_[i].peer->availability->chunk(seq);
      out.by_room[i] = c;
      if (c && c->complete) ++out.whole;
      else if (c) out.partial.push_back(i);
    }
  }
  static bool has(const ChunkView& v, std::size_t i, std::uint32_t piece) { return v.by_room[i] && v.by_room[i]->has(piece); }

  // The fastest peer holding the piece with room for it, other than `asked` (the peer
  // whose request for it is late); the last resort only if allowed and nobody else can.

  std::optional<std::size_t> best_holder(const ChunkView& v, std::uint32_t piece, double bytes, PeerId asked,
                                         bool allow_last_resort) const {
    std::optional<std::size_t> best, fallback;
    for (std::size_t i = 0; i < rooms_.size(); ++i) {
      const PeerRoom& room = rooms_[i];
      if (room.spare_bytes < bytes || room.peer->id == asked || !has(v, i, piece))
        continue;
      std::optional<std::size_t>& slot = room.peer->last_resort ? fallback : best;
      if (!slot || better(room, rooms_[*slot])) slot = i;
    }
    if (best || !allow_last_resort) return best;
    return fallback;
  }

  static bool anyone_holds(const ChunkView& v, std::uint32_t piece) { return holders(v, piece) > 0; }

  static std::uint32_t holders(const ChunkView& v, std::uint32_t piece) {
    std::uint32_t n = v.whole;
    for (std::size_t i : v.partial) n += v.by_room[i]->has(piece) ? 1u : 0u;
    return n;
  }

  void assign(std::size_t room, ChunkSeq seq, std::uint32_t piece, double bytes) {
    rooms_[room].spare_bytes -= bytes;
    assignments_.push_back({room, seq, piece});
  }

  bool any_room() const {
    return std::any_of(rooms_.begin(), rooms_.end(), [&](const PeerRoom& r) { return r.spare_bytes > 0; });
  }

  // Consecutive pieces of one chunk to one peer become one request.
  std::vector<RequestAction> requests() {
    std::sort(assignments_.begin(), assignments_.end(), [](const Assignment& a, const Assignment& b) {
      return std::tie(a.peer, a.seq, a.piece) < std::tie(b.peer, b.seq, b.piece);
    });
    std::vector<RequestAction> out;
    for (const Assignment& a : assignments_) {
      const PeerId id = rooms_[a.peer].peer->id;
      if (!out.empty()) {
        RequestAction& last = out.back();
        if (last.peer == id && last.seq == a.seq && last.first.value + last.count == a.piece &&
            last.count < config_.max_pieces_per_request) {
          ++last.count;
          continue;
        }
      }
      out.push_back({id, a.seq, PieceIndex{a.piece}, 1});
    }
    return out;
  }

 private:
  static bool better(const PeerRoom& a, const PeerRoom& b) {
    if (a.throughput != b.throughput) return a.throughput > b.throughput;
    if (a.spare_bytes != b.spare_bytes) return a.spare_bytes > b.spare_bytes;
    return a.peer->id < b.peer->id;
  }

  const SchedulerConfig& config_;
  std::vector<PeerRoom> rooms_;
  std::vector<Assignment> assignments_;
};

double piece_bytes(const WantedChunk& chunk, std::uint32_t piece) {
  return piece + 1 == chunk.pieces.size() ? chunk.last_piece_bytes : trust::kPieceSize;
}

struct RarePiece {
  std::uint32_t holders;
  std::size_t chunk;
  std::uint32_t piece;
};

}  // namespace

SchedulerDecision pick_requests(std::span<const WantedChunk> wanted, std::span<const PeerCandidate> peers, TimeMs now,
                                const SchedulerConfig& config) {
  SchedulerDecision decision;
  Planner planner(peers, config);
  std::vector<RarePiece> later;
  // Each peer's holdings of each wanted chunk, found once.
  std::vector<Planner::ChunkView> views(wanted.size());
  for (std::size_t c = 0; c < wanted.size(); ++c) planner.view(wanted[c].seq, views[c]);

  for (std::size_t c = 0; c < wanted.size(); ++c) {
    const WantedChunk& chunk = wanted[c];
    const std::int64_t time_left = chunk.deadline.value - now.value;
    const bool urgent = time_left < std::int64_t{config.urgent_window_ms};
    bool unreachable = false;
    const Planner::ChunkView& view = views[c];
    for (std::uint32_t p = 0; p < chunk.pieces.size(); ++p) {
      const PieceState state = chunk.pieces[p];
      if (state == PieceState::kHave || state == PieceState::kInflight) continue;
      if (!urgent) {
        if (state == PieceState::kMissing) later.push_back({planner.holders(view, p), c, p});
        continue;
      }
      // Urgent: a missing piece, or one whose request is late, goes to the best holder.
      const PeerId asked = state == PieceState::kInflightAtRisk ? chunk.asked[p] : PeerId{};
      const bool source_allowed = time_left < std::int64_t{config.source_margin_ms};
      if (auto room = planner.best_holder(view, p, piece_bytes(chunk, p), asked, source_allowed))
        planner.assign(*room, chunk.seq, p, piece_bytes(chunk, p));
      else if (state == PieceState::kMissing && !planner.anyone_holds(view, p))
        unreachable = true;
    }
    if (unreachable && config.http_origin && time_left < std::int64_t{config.http_fallback_margin_ms})
      decision.http_fetches.push_back(chunk.seq);
  }

  // Beyond the urgent window: rarest first (pieces nobody has are skipped), then
  // playback order.
  std::stable_sort(later.begin(), later.end(),
                   [](const RarePiece& a, const RarePiece& b) { return a.holders < b.holders; });
  for (const RarePiece& r : later) {
    if (r.holders == 0) continue;
    if (!planner.any_room()) break;
    const WantedChunk& chunk = wanted[r.chunk];
    if (auto room = planner.best_holder(views[r.chunk], r.piece, piece_bytes(chunk, r.piece), PeerId{}, false))
      planner.assign(*room, chunk.seq, r.piece, piece_bytes(chunk, r.piece));
  }
  decision.requests = planner.requests();
  return decision;
}

}  // namespace swarmcast::swarm
