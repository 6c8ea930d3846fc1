#include "swarm/chunk_scheduler.hpp"

#include <algorithm>
#include <limits>
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
  ChunkId id;
  std::uint32_t piece;
};

// Who holds what of the wanted chunks, and how much more each peer's pipeline takes.
class Planner {
 public:
  Planner(std::span<const PeerCandidate> peers, const SchedulerConfig& config, double link_room)
      : config_(config), link_room_(link_room) {
    for (const PeerCandidate& p : peers) {
      if (p.choking_us || !p.availability) continue;
      const double throughput = p.throughput_bytes_per_s > 0 ? p.throughput_bytes_per_s : config.unknown_throughput_bytes_per_s;
      const double pipeline =
          std::max(config.min_pipeline_bytes, throughput * (p.rtt_ms + config.pipeline_margin_ms) / 1000.0);
      rooms_.push_back({&p, throughput, pipeline - static_cast<double>(p.inflight_bytes)});
    }
    update_max_spare();
  }

  // Whether some pipeline, and the link, have room for `bytes` more.
  bool can_take(double bytes) const { return max_spare_ >= bytes && link_room_ >= bytes; }

  void index_holdings(std::span<const WantedChunk> wanted) {
    // Each room's holdings of each wanted chunk, looked up once per chunk rather than
    // per piece and peer: a map lookup per piece and peer was 75 % of a 30-chunk,
    // 20-peer tick. Only rooms holding some of a chunk are asked per piece, fastest
    // first, and of those only the ones holding part of it when counting holders.
    std::vector<std::size_t> fastest_first(rooms_.size());
    for (std::size_t i = 0; i < rooms_.size(); ++i) fastest_first[i] = i;
    std::sort(fastest_first.begin(), fastest_first.end(), [&](std::size_t a, std::size_t b) {
      return rooms_[a].throughput != rooms_[b].throughput ? rooms_[a].throughput > rooms_[b].throughput : a < b;
    });
    chunks_.resize(wanted.size());
    for (std::size_t c = 0; c < wanted.size(); ++c) {
      ChunkHolders& holders = chunks_[c];
      holders.holding_begin = holdings_.size();
      holders.partial_begin = partial_.size();
      if (anything_to_ask(wanted[c])) {  // else never asked about
        for (std::size_t i : fastest_first) {
          const PieceAvailability::Chunk* held = rooms_[i].peer->availability->chunk(wanted[c].id);
          if (!held) continue;
          holdings_.push_back({i, held});
          if (held->complete) ++holders.whole;
          else partial_.push_back(held);
        }
      }
      holders.holding_end = holdings_.size();
      holders.partial_end = partial_.size();
    }
  }

  // The fastest peer holding the piece with room for it, other than `asked` (the peer
  // whose request for it is late); the last resort only if allowed and nobody else can.
  std::optional<std::size_t> best_holder(std::size_t chunk, std::uint32_t piece, double bytes, PeerId asked,
                                         bool allow_last_resort) const {
    if (!can_take(bytes)) return std::nullopt;  // the common case once pipelines fill
    std::optional<std::size_t> best, fallback;
    for (std::size_t h = chunks_[chunk].holding_begin; h < chunks_[chunk].holding_end; ++h) {
      const std::size_t i = holdings_[h].room;
      const PeerRoom& room = rooms_[i];
      // Holders come fastest first, and throughput decides first: nobody after a slower
      // one can beat the best so far.
      if (best && room.throughput < rooms_[*best].throughput) break;
      if (room.spare_bytes < bytes || room.peer->id == asked || !holdings_[h].held->has(piece)) continue;
      std::optional<std::size_t>& slot = room.peer->last_resort ? fallback : best;
      if (!slot || better(room, rooms_[*slot])) slot = i;
    }
    if (best || !allow_last_resort) return best;
    return fallback;
  }

  std::uint32_t holders(std::size_t chunk, std::uint32_t piece) const {
    std::uint32_t n = chunks_[chunk].whole;
    for (std::size_t k = chunks_[chunk].partial_begin; k < chunks_[chunk].partial_end; ++k)
      n += partial_[k]->has(piece) ? 1u : 0u;
    return n;
  }

  void assign(std::size_t room, ChunkId id, std::uint32_t piece, double bytes) {
    const bool had_most = rooms_[room].spare_bytes == max_spare_;
    rooms_[room].spare_bytes -= bytes;
    link_room_ -= bytes;
    if (had_most) update_max_spare();
    assignments_.push_back({room, id, piece});
  }

  bool any_room() const { return max_spare_ > 0 && link_room_ > 0; }

  // Consecutive pieces of one chunk to one peer become one request.
  std::vector<RequestAction> requests() {
    std::sort(assignments_.begin(), assignments_.end(), [](const Assignment& a, const Assignment& b) {
      return std::tie(a.peer, a.id, a.piece) < std::tie(b.peer, b.id, b.piece);
    });
    std::vector<RequestAction> out;
    for (const Assignment& a : assignments_) {
      const PeerId id = rooms_[a.peer].peer->id;
      if (!out.empty()) {
        RequestAction& last = out.back();
        if (last.peer == id && last.id == a.id && last.first.value + last.count == a.piece &&
            last.count < config_.max_pieces_per_request) {
          ++last.count;
          continue;
        }
      }
      out.push_back({id, a.id, PieceIndex{a.piece}, 1});
    }
    return out;
  }

 private:
  struct Holding {
    std::size_t room;
    const PieceAvailability::Chunk* held;
  };
  struct ChunkHolders {
    std::uint32_t whole = 0;
    std::size_t holding_begin = 0, holding_end = 0;  // into holdings_
    std::size_t partial_begin = 0, partial_end = 0;  // into partial_
  };

  static bool better(const PeerRoom& a, const PeerRoom& b) {
    if (a.throughput != b.throughput) return a.throughput > b.throughput;
    if (a.spare_bytes != b.spare_bytes) return a.spare_bytes > b.spare_bytes;
    return a.peer->id < b.peer->id;
  }

  static bool anything_to_ask(const WantedChunk& chunk) {
    return std::any_of(chunk.pieces.begin(), chunk.pieces.end(), [](PieceState s) {
      return s == PieceState::kMissing || s == PieceState::kInflightAtRisk;
    });
  }

  void update_max_spare() {
    double most = -std::numeric_limits<double>::infinity();
    for (const PeerRoom& room : rooms_)
      if (most < room.spare_bytes) most = room.spare_bytes;
    max_spare_ = most;
  }

  const SchedulerConfig& config_;
  double link_room_;
  std::vector<PeerRoom> rooms_;
  double max_spare_;  // the most any room has spare
  std::vector<ChunkHolders> chunks_;  // per wanted chunk
  std::vector<Holding> holdings_;    // rooms holding some of a chunk, chunk by chunk, fastest first
  std::vector<const PieceAvailability::Chunk*> partial_;  // of those, the ones holding part
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


// Stably by holders, rarest first: a counting sort, as holders are small counts (a
// comparison sort was a tenth of a 30-chunk, 20-peer tick).
std::vector<RarePiece> rarest_first(const std::vector<RarePiece>& pieces) {
  std::uint32_t most = 0;
  for (const RarePiece& r : pieces) most = std::max(most, r.holders);
  std::vector<std::size_t> starts(most + 2, 0);
  for (const RarePiece& r : pieces) ++starts[r.holders + 1];
  for (std::size_t h = 1; h < starts.size(); ++h) starts[h] += starts[h - 1];
  std::vector<RarePiece> sorted(pieces.size());
  for (const RarePiece& r : pieces) sorted[starts[r.holders]++] = r;
  return sorted;
}

}  // namespace

SchedulerDecision pick_requests(std::span<const WantedChunk> wanted, std::span<const PeerCandidate> peers, TimeMs now,
                                const SchedulerConfig& config, double link_room_bytes) {
  SchedulerDecision decision;
  Planner planner(peers, config, link_room_bytes);
  // With every pipeline full no piece can be assigned, and without an origin that is
  // all there is to decide: skip looking up who holds what (most ticks of a large
  // swarm end here).
  double smallest_piece = trust::kPieceSize;
  for (const WantedChunk& chunk : wanted)
    if (!chunk.pieces.empty()) smallest_piece = std::min(smallest_piece, piece_bytes(chunk, chunk.pieces.size() - 1));
  if (!config.http_origin && !planner.can_take(smallest_piece)) return decision;
  planner.index_holdings(wanted);
  std::vector<RarePiece> later;

  for (std::size_t c = 0; c < wanted.size(); ++c) {
    const WantedChunk& chunk = wanted[c];
    const std::int64_t time_left = chunk.deadline.value - now.value;
    const bool urgent = time_left < std::int64_t{config.urgent_window_ms};
    bool unreachable = false;
    for (std::uint32_t p = 0; p < chunk.pieces.size(); ++p) {
      const PieceState state = chunk.pieces[p];
      if (state == PieceState::kHave || state == PieceState::kInflight) continue;
      if (!urgent) {
        // Pieces nobody has are skipped.
        if (state == PieceState::kMissing)
          if (const std::uint32_t holders = planner.holders(c, p); holders > 0) later.push_back({holders, c, p});
        continue;
      }
      // Urgent: a missing piece, or one whose request is late, goes to the best holder.
      const PeerId asked = state == PieceState::kInflightAtRisk ? chunk.asked[p] : PeerId{};
      const bool source_allowed = !chunk.never_of_source && time_left < std::int64_t{config.source_margin_ms};
      if (auto room = planner.best_holder(c, p, piece_bytes(chunk, p), asked, source_allowed))
        planner.assign(*room, chunk.id, p, piece_bytes(chunk, p));
      else if (state == PieceState::kMissing && planner.holders(c, p) == 0)
        unreachable = true;
    }
    if (unreachable && config.http_origin && time_left < std::int64_t{config.http_fallback_margin_ms})
      decision.http_fetches.push_back(chunk.id);
  }

  // Beyond the urgent window: rarest first, then playback order.
  for (const RarePiece& r : rarest_first(later)) {
    if (!planner.any_room()) break;
    const WantedChunk& chunk = wanted[r.chunk];
    if (auto room = planner.best_holder(r.chunk, r.piece, piece_bytes(chunk, r.piece), PeerId{}, false))
      planner.assign(*room, chunk.id, r.piece, piece_bytes(chunk, r.piece));
  }
  decision.requests = planner.requests();
  return decision;
}

}  // namespace swarmcast::swarm
