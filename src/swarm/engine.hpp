// The swarm engine: one per broadcaster or viewer, single-threaded, no clock of its
// own. The transport (browser shim or simulator) calls connect/disconnect/on_message
// with `now`, calls tick(now) periodically, and carries out what the engine leaves
// in its outbox. The engine composes the parts: ChunkBuffer (what we hold),
// pick_requests (what to ask for), score/choose_unchoked/UploadBudget (whom we serve),
// PlaybackClock (what the player sees).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "swarm/chunk_buffer.hpp"
#include "swarm/chunk_scheduler.hpp"
#include "swarm/engine_stats.hpp"
#include "swarm/piece_availability.hpp"
#include "swarm/playback_clock.hpp"
#include "swarm/request_tracker.hpp"
#include "swarm/upload_policy.hpp"
#include "wire/messages.hpp"

namespace swarmcast::swarm {

struct EngineConfig {
  PeerId self;
  bool broadcaster = false;
  trust::PublicKey stream;
  DeviceConstraints device;
  BufferConfig buffer;
  SchedulerConfig scheduler;
  // Viewers serve every neighbour (the tracker gives ~8) within their upload budget:
  // in a live stream a newcomer has nothing to reciprocate with, and tit-for-tat
  // choking would starve it. broadcaster_upload_config() for the source.
  UploadConfig upload = {.regular_slots = 10, .optimistic_slots = 2};
  std::uint32_t super_seed_fanout = 4;             // relays each new chunk is striped across
  std::uint64_t max_buffered_bytes = 256 * 1024;   // transport backlog we fill a peer's channel to
  std::uint32_t min_request_timeout_ms = 1000;
  std::uint32_t ping_interval_ms = 2000;
  std::uint32_t peer_silence_timeout_ms = 10'000;
  std::uint32_t unchoke_interval_ms = 2000;
  std::uint32_t skip_after_stall_ms = 1500;        // then a missing chunk is given up on
  // Join this many chunks behind the newest one, so the chunks after the first have
  // time to spread through the swarm before the player needs them.
  std::uint32_t join_behind_chunks = 1;
};

struct OutgoingMessage {
  PeerId to;
  ByteVector bytes;
};

// What goes to the player, in order: an init segment before the chunks of its epoch.
struct PlayerItem {
  bool init = false;
  Epoch epoch;
  ChunkSeq seq;
  TimeMs capture;
  ByteVector bytes;
};

class Engine {
 public:
  explicit Engine(EngineConfig config);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void connect(PeerId peer, TimeMs now);
  void disconnect(PeerId peer, TimeMs now);
  void on_message(PeerId peer, ByteView bytes, TimeMs now);
  // The transport's send backlog towards a peer (RTCDataChannel.bufferedAmount).
  void set_buffered_amount(PeerId peer, std::uint64_t bytes);

  // Broadcaster: a signed init segment or chunk from the segmenter and signer.
  bool publish_init(ByteView signed_header, ByteView init, TimeMs now);
  bool publish_chunk(ByteView signed_header, ByteView payload, TimeMs now);

  void tick(TimeMs now);

  std::vector<OutgoingMessage> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<PlayerItem> take_playable() { return std::exchange(playable_, {}); }
  // Peers the transport should close (banned, silent, or said goodbye).
  std::vector<PeerId> take_disconnects() { return std::exchange(disconnects_, {}); }

  const EngineStats& stats() const { return stats_; }
  std::string stats_json(TimeMs now) const;
  const PlaybackClock& playback() const { return playback_; }
  const ChunkBuffer& buffer() const { return buffer_; }
  std::size_t peer_count() const { return peers_.size(); }
  const std::set<PeerId>& banned() const { return banned_; }

 private:
  struct Remote;
  struct InitEntry {
    ByteVector signed_header;
    ByteVector bytes;
    TimeMs capture;
  };

  void handle(Remote& peer, wire::Message message, TimeMs now);
  void on_handshake(Remote& peer, const wire::Handshake& m, TimeMs now);
  void on_piece(Remote& peer, const wire::Piece& m, TimeMs now);
  void on_chunk_header(Remote& peer, const wire::ChunkHeader& m, TimeMs now);
  void on_init_segment(Remote& peer, const wire::InitSegment& m);
  void on_request(Remote& peer, const wire::Request& m);

  bool accept_header(ByteView signed_header, std::vector<trust::Digest> hashes, TimeMs now);
  void ban(Remote& peer);
  void send(Remote& peer, const wire::Message& message);
  void send_header(Remote& peer, ChunkSeq seq);
  void introduce_holdings(Remote& peer);

  void expire_requests(TimeMs now);
  void drop_silent_peers(TimeMs now);
  void advance_playback(TimeMs now);
  void schedule_requests(TimeMs now);
  void advertise();
  void update_unchoked(TimeMs now);
  void serve(TimeMs now);
  void ping(TimeMs now);
  void evict();

  EngineConfig config_;
  ChunkBuffer buffer_;
  RequestTracker requests_;
  PlaybackClock playback_;
  UploadBudget budget_;
  std::map<PeerId, std::unique_ptr<Remote>> peers_;
  std::map<ChunkSeq, ByteVector> signed_headers_;  // the bytes as signed, for forwarding
  std::map<Epoch, InitEntry> inits_;
  std::map<ChunkSeq, std::vector<std::uint32_t>> fresh_pieces_;  // verified since the last advert
  std::set<PeerId> banned_;
  std::optional<ChunkSeq> playhead_;
  std::optional<Epoch> player_epoch_;
  std::optional<trust::ChunkHeader> last_played_;
  std::optional<TimeMs> late_since_;  // when the chunk at the playhead became late
  std::vector<OutgoingMessage> outbox_;
  std::vector<PlayerItem> playable_;
  std::vector<PeerId> disconnects_;
  TimeMs last_unchoke_{-1'000'000};
  std::uint64_t rotation_ = 0;
  EngineStats stats_;
};

}  // namespace swarmcast::swarm
