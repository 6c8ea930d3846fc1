// The swarm engine's per-tick cost: the chunk scheduler alone, over a 30-chunk window
// and 20 peers, and a whole Engine::tick of a viewer 30 chunks into a live stream with
// 20 neighbours. The same source runs natively and as wasm (tools/bench/run.mjs).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>

#include "swarm/chunk_scheduler.hpp"
#include "swarm/engine.hpp"
#include "trust/keys.hpp"
#include "trust/merkle.hpp"
#include "synthetic_stream.hpp"
#include "trust/signed_header.hpp"
#include "wire/codec.hpp"

namespace swarmcast::swarm {
namespace {

constexpr std::uint32_t kPeers = 20;
constexpr std::uint32_t kChunks = 30;

// Deterministic choices: a run must see the same state as the previous one.
class Lcg {
 public:
  explicit Lcg(std::uint64_t seed) : state_(seed) {}
  std::uint32_t below(std::uint32_t n) {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<std::uint32_t>((state_ >> 33) % n);
  }

 private:
  std::uint64_t state_;
};

// --- the scheduler alone ---

// 30 one-second chunks of 20 pieces, deadlines 0.4 s to 29.4 s away (the first two
// urgent). Near the playhead most pieces are held, some in flight (a few late), one
// chunk complete; further out most are missing, with some rarest-first requests in
// flight. Peer 1 is the source (holds everything, asked last); peers 2..20 hold whole
// chunks up to an edge that lags the live edge by 0-6 chunks and a run of pieces of the
// next one; three of them choke us; pipelines are part full.
struct SchedulerState {
  std::vector<WantedChunk> window;
  std::vector<PieceAvailability> availability;
  std::vector<PeerCandidate> peers;
  TimeMs now{100'000};
};

SchedulerState scheduler_state() {
  constexpr std::uint32_t kPieces = 20;
  SchedulerState s;
  Lcg rng(42);
  for (std::uint32_t c = 0; c < kChunks; ++c) {
    WantedChunk w;
    w.id = ChunkId{ChunkSeq{500 + c}};
    w.deadline = TimeMs{s.now.value + 400 + 1000 * std::int64_t{c}};
    w.last_piece_bytes = 9000;
    const std::uint32_t held_percent = c == 3 ? 100 : c < 12 ? 90 - 7 * c : 0;
    for (std::uint32_t p = 0; p < kPieces; ++p) {
      PieceState state = PieceState::kMissing;
      PeerId asked{};
      if (rng.below(100) < held_percent) {
        state = PieceState::kHave;
      } else if (rng.below(100) < (c < 2 ? 60u : 15u)) {
        state = c < 2 && rng.below(4) == 0 ? PieceState::kInflightAtRisk : PieceState::kInflight;
        asked = PeerId{2 + rng.below(kPeers - 1)};
      }
      w.pieces.push_back(state);
      w.asked.push_back(asked);
    }
    s.window.push_back(std::move(w));
  }
  s.availability.resize(kPeers);
  for (std::uint32_t i = 0; i < kPeers; ++i) {
    PieceAvailability& a = s.availability[i];
    const std::uint32_t lag = i == 0 ? 0 : rng.below(7);
    const std::uint32_t edge = kChunks - lag;  // whole chunks below this index
    for (std::uint32_t c = 0; c < edge; ++c) a.set_complete(ChunkId{ChunkSeq{500 + c}});
    if (edge < kChunks) {
      const std::uint32_t first = rng.below(kPieces), count = 1 + rng.below(kPieces - first);
      for (std::uint32_t p = first; p < first + count; ++p) a.set_piece(ChunkId{ChunkSeq{500 + edge}}, PieceIndex{p});
    }
  }
  for (std::uint32_t i = 0; i < kPeers; ++i) {
    PeerCandidate p;
    p.id = PeerId{i + 1};
    p.last_resort = i == 0;
    p.choking_us = i == 6 || i == 12 || i == 18;
    p.throughput_bytes_per_s = i % 4 == 3 ? 0 : 100'000.0 + 150'000.0 * rng.below(12);
    p.rtt_ms = 20 + rng.below(180);
    p.inflight_bytes = std::uint64_t{trust::kPieceSize} * rng.below(3);
    p.availability = &s.availability[i];
    s.peers.push_back(p);
  }
  return s;
}

void scheduler_tick(benchmark::State& state) {
  const SchedulerState s = scheduler_state();
  std::size_t requests = 0;
  for (auto _ : state) {
    SchedulerDecision d = pick_requests(s.window, s.peers, s.now);
    requests = d.requests.size();
    benchmark::DoNotOptimize(d);
  }
  state.counters["requests"] = static_cast<double>(requests);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(scheduler_tick)->Unit(benchmark::kMicrosecond);

// --- the whole engine ---

using synthetic::media;

const trust::KeyPair& stream_keys() { return synthetic::keys(5); }

ByteVector signed_header(trust::HeaderKind kind, std::uint64_t seq, ByteView payload) {
  return synthetic::signed_header(stream_keys(), kind, seq, TimeMs{static_cast<std::int64_t>(seq) * 1000}, 1000, payload);
}

// A viewer 30 s into a live stream of 1 s chunks (16 pieces, ~2 Mbit/s), built by
// replaying the stream through the engine: peer 1 is the broadcaster, peers 2..20 are
// viewers that each lag the live edge by 1-3 chunks, answer our requests 50-300 ms
// later and our pings likewise; three of them choke us. The buffer holds all 30 chunks
// (a 30 s window); chunks 0-26 are played, 27-29 are partly held, needed in 1-3 s.
class LiveViewer {
 public:
  static constexpr std::uint32_t kPieces = 16;
  static constexpr std::size_t kChunkBytes = kPieces * trust::kPieceSize - 5000;
  static constexpr std::uint64_t kLastAnswered = 26;  // requests beyond this stay in flight

  LiveViewer() {
    EngineConfig config;
    config.self = PeerId{1000};
    config.stream = stream_keys().public_key;
    config.buffer.window_ms = 30'000;
    config.target_latency_ms = 4000;
    engine_ = std::make_unique<Engine>(config);
    for (std::uint64_t id = 1; id <= kPeers; ++id) {
      engine_->connect(PeerId{id}, TimeMs{0});
      wire::Handshake hello;
      hello.stream_key = stream_keys().public_key.bytes;
      hello.peer_id = PeerId{id};
      hello.role = id == 1 ? Role::kBroadcaster : Role::kRelay;
      hello.can_upload = true;
      receive(id, hello, TimeMs{0});
      if (!choking(id)) receive(id, wire::Unchoke{}, TimeMs{0});
    }
    const ByteVector init = media(9999, 400);
    receive(1, wire::InitSegment{signed_header(trust::HeaderKind::kInit, 0, init), init}, TimeMs{0});

    for (std::uint64_t s = 0; s < kChunks; ++s) {
      const std::int64_t t = static_cast<std::int64_t>(s + 1) * 1000;
      publish(s, TimeMs{t});
      for (std::int64_t at : {t + 400, t + 900}) {
        engine_->tick(TimeMs{at});
        answer(TimeMs{at});
      }
    }
    // Whatever of 0-26 is still missing arrives from the source; 27-29 in part.
    for (std::uint64_t s = 0; s < kChunks; ++s) {
      const std::uint32_t pieces = s <= kLastAnswered ? kPieces : static_cast<std::uint32_t>(12 - 4 * (s - 27));
      for (std::uint32_t p = 0; p < pieces; ++p)
        if (!engine_->buffer().has_piece(ChunkId{ChunkSeq{s}}, PieceIndex{p})) deliver_piece(1, s, p, TimeMs{30'450});
    }
    engine_->tick(now_);
    drain();
  }

  Engine& engine() { return *engine_; }
  TimeMs now() const { return now_; }

  // Every unchoking peer chokes and unchokes us: the engine drops all our requests, so
  // the next tick plans them again from scratch (the busiest tick there is).
  void drop_requests() {
    for (std::uint64_t id = 1; id <= kPeers; ++id) {
      if (choking(id)) continue;
      receive(id, wire::Choke{}, now_);
      receive(id, wire::Unchoke{}, now_);
    }
  }

  void drain() {
    for (std::uint64_t id = 1; id <= kPeers; ++id) engine_->set_buffered_amount(PeerId{id}, 0);
    engine_->take_outbox();
    engine_->take_playable();
    engine_->take_disconnects();
  }

 private:
  static bool choking(std::uint64_t id) { return id == 7 || id == 13 || id == 19; }
  static std::uint64_t lag(std::uint64_t id) { return id == 1 ? 0 : 1 + id % 3; }
  static std::int64_t answer_delay_ms(std::uint64_t id) { return id == 1 ? 40 : 50 + static_cast<std::int64_t>(id * 37 % 250); }

  void receive(std::uint64_t from, const wire::Message& m, TimeMs at) { engine_->on_message(PeerId{from}, wire::encode(m), at); }

  const ByteVector& payload(std::uint64_t seq) {
    if (payloads_.size() <= seq) payloads_.resize(seq + 1);
    if (payloads_[seq].empty()) payloads_[seq] = media(seq, kChunkBytes);
    return payloads_[seq];
  }

  void deliver_piece(std::uint64_t from, std::uint64_t seq, std::uint32_t p, TimeMs at) {
    const ByteView piece = trust::piece_of(payload(seq), PieceIndex{p});
    receive(from, wire::Piece{ChunkId{ChunkSeq{seq}}, PieceIndex{p}, ByteVector(piece.begin(), piece.end())}, at);
  }

  // Chunk s goes out at t: the source sends its header and says it holds it; each
  // viewer says it holds whole the chunk `lag` behind and the first pieces of the next.
  void publish(std::uint64_t s, TimeMs t) {
    const ByteVector& bytes = payload(s);
    wire::ChunkHeader header;
    header.signed_header = signed_header(trust::HeaderKind::kChunk, s, bytes);
    for (const trust::Digest& d : trust::piece_hashes(bytes)) header.piece_hashes.push_back(d);
    receive(1, header, t);
    receive(1, wire::Have{RenditionId{0}, ChunkSeq{s}, {true}}, t);
    for (std::uint64_t id = 2; id <= kPeers; ++id) {
      if (s < lag(id)) continue;
      const std::uint64_t whole = s - lag(id);
      receive(id, wire::Have{RenditionId{0}, ChunkSeq{whole}, {true}}, t);
      const auto run = static_cast<std::uint16_t>(1 + id % (kPieces - 1));
      receive(id, wire::HaveRange{ChunkId{ChunkSeq{whole + 1}}, PieceIndex{0}, run}, t);
    }
    now_ = TimeMs{t.value + 500};
  }

  // The requests and pings of the last tick, answered by each peer after its delay.
  void answer(TimeMs at) {
    std::vector<OutgoingMessage> out = engine_->take_outbox();
    std::stable_sort(out.begin(), out.end(), [](const OutgoingMessage& a, const OutgoingMessage& b) {
      return answer_delay_ms(a.to.value) < answer_delay_ms(b.to.value);
    });
    for (const OutgoingMessage& o : out) {
      const TimeMs when{at.value + answer_delay_ms(o.to.value)};
      auto m = wire::decode(o.bytes);
      if (!m) continue;
      if (const auto* ping = std::get_if<wire::Ping>(&m.value())) receive(o.to.value, wire::Pong{ping->nonce}, when);
      if (const auto* r = std::get_if<wire::Request>(&m.value())) {
        if (r->id.seq.value > kLastAnswered) continue;
        for (std::uint32_t p = r->first_piece.value; p < r->first_piece.value + r->piece_count; ++p)
          deliver_piece(o.to.value, r->id.seq.value, p, when);
      }
    }
    drain();
  }

  std::unique_ptr<Engine> engine_;
  std::vector<ByteVector> payloads_;
  TimeMs now_{0};
};

void engine_tick(benchmark::State& state) {
  LiveViewer viewer;
  for (auto _ : state) {
    state.PauseTiming();
    viewer.drain();
    viewer.drop_requests();
    state.ResumeTiming();
    viewer.engine().tick(viewer.now());
  }
  state.counters["messages_out"] = static_cast<double>(viewer.engine().take_outbox().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(engine_tick)->Unit(benchmark::kMicrosecond);

// The common case: nothing changed since the last tick (pipelines full, nothing new).
void engine_tick_idle(benchmark::State& state) {
  LiveViewer viewer;
  for (auto _ : state) {
    viewer.engine().tick(viewer.now());
    benchmark::DoNotOptimize(viewer.engine().take_outbox());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(engine_tick_idle)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace swarmcast::swarm
