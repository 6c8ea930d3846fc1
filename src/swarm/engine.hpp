// The swarm engine: one per broadcaster or viewer, single-threaded, no clock of its
// own. The transport (browser shim or simulator) calls connect/disconnect/on_message
// with `now`, calls tick(now) periodically, and carries out what the engine leaves
// in its outbox. The engine composes the parts: ChunkBuffer (what we hold),
// pick_requests (what to ask for), score/choose_unchoked/UploadBudget (whom we serve),
// PlaybackClock (what the player sees).
#pragma once

#include <bitset>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/flat_map.hpp"
#include "swarm/abr_rule.hpp"
#include "swarm/chat.hpp"
#include "swarm/chunk_buffer.hpp"
#include "swarm/chunk_scheduler.hpp"
#include "swarm/engine_stats.hpp"
#include "swarm/piece_availability.hpp"
#include "swarm/playback_clock.hpp"
#include "swarm/request_tracker.hpp"
#include "swarm/upload_policy.hpp"
#include "trust/rendition_ladder.hpp"
#include "wire/messages.hpp"

namespace swarmcast::swarm {

struct EngineConfig {
  PeerId self;
  bool broadcaster = false;
  trust::PublicKey stream;
  DeviceConstraints device;
  BufferConfig buffer;
  // How pieces, hash lists and headers are checked; null: directly, every time. Hosts
  // running many engines share one MemoizingVerifier.
  std::shared_ptr<Verifier> verifier;
  SchedulerConfig scheduler;
  // Viewers serve every neighbour (the tracker hands each viewer ~8, and early ones
  // gather 20-30 as later ones link to them) within their upload budget: in a live
  // stream a newcomer has nothing to reciprocate with, and tit-for-tat choking would
  // starve it (measured in mesh-100: 10 slots gave startup p95 2.6 s, 40 gave 1.4 s).
  // broadcaster_upload_config() for the source.
  UploadConfig upload = {.regular_slots = 40, .optimistic_slots = 2};
  std::uint32_t super_seed_fanout = 4;             // relays each new chunk is striped across
  // Transport backlog we fill a peer's channel to. With a known upload rate it is
  // max_backlog_ms of that rate instead: every byte queued ahead of a piece delays it
  // on every hop, so a slow uplink must keep a short queue.
  std::uint64_t max_buffered_bytes = 256 * 1024;
  std::uint32_t max_backlog_ms = 100;
  std::uint32_t min_request_timeout_ms = 1000;
  std::uint32_t ping_interval_ms = 2000;
  std::uint32_t peer_silence_timeout_ms = 10'000;
  std::uint32_t unchoke_interval_ms = 2000;
  std::uint32_t skip_after_stall_ms = 1500;        // then a missing chunk is given up on
  // Glass-to-glass latency a joining viewer starts at: it starts playing at the
  // moment of the stream captured this long ago (mid-chunk if need be), which leaves
  // each later chunk target_latency_ms minus its duration to cross the swarm.
  std::uint32_t target_latency_ms = 2500;
  std::uint32_t start_lead_ms = 1000;  // see choose_start()
  // A player that aims this much nearer the live edge than target_latency_ms (the
  // browser's aims at its own target, the publish allowance below the engine's) can
  // start the first chunk this much before its moment: it is handed over as soon as it
  // is complete and its start is no later than the moment plus this.
  std::uint32_t player_lead_ms = 0;
  // How late after its capture ended a chunk header may arrive on clocks that agree
  // (NTP, or one machine): header travel, plus, for a viewer that has just joined, the
  // wait since the newest chunk was published. See start_capture_time().
  std::uint32_t max_header_travel_ms = 1000;
  // Check the buffer's invariants after every tick (the simulator and the tests do;
  // it costs a walk over every held piece).
  bool check_invariants = false;
  // HTTP fallback (on when scheduler.http_origin is set): a fetch not answered within
  // http_retry_ms is asked again; a viewer that has heard of no chunk http_bootstrap_ms
  // after its first tick asks the origin's index for the live edge, as its peer links
  // may never open.
  std::uint32_t http_retry_ms = 2000;
  std::uint32_t http_bootstrap_ms = 2000;
  ChatConfig chat;
  // The ABR rule's thresholds, and how often the link and the buffer are sampled for it.
  AbrConfig abr;
  std::uint32_t abr_sample_ms = 250;
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
  // On the first chunk only: where in it playback starts (ms from its capture time).
  std::uint32_t start_offset_ms = 0;
  // The chunk's first video frame is a keyframe (signed): a player may seek to its start
  // without decoding anything before it.
  bool keyframe = true;
  // Which rendition. A switch hands the new rendition's init segment (of the epoch
  // playing, even if that did not change), then its chunks from the next seq on.
  RenditionId rendition;
};

// What the transport should GET from the HTTP origin: a chunk or an init segment
// (answer with on_http_chunk), or the origin's index of the chunks it holds (answer
// with on_http_index). A failed GET needs no answer: it is asked again later.
enum class HttpFetchKind : std::uint8_t { kChunk, kInit, kIndex };
struct HttpFetch {
  HttpFetchKind kind = HttpFetchKind::kChunk;
  std::uint64_t number = 0;  // the chunk's seq or the init segment's epoch
  RenditionId rendition;     // of the chunk or init segment
  auto operator<=>(const HttpFetch&) const = default;
};

// An init segment's name: the epoch it opens, in one rendition.
struct InitId {
  Epoch epoch;
  RenditionId rendition;
  auto operator<=>(const InitId&) const = default;
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
  // The same backlog towards every peer: for a transport whose channels share one
  // send queue (the simulator's uplink model).
  void set_buffered_amount_everywhere(std::uint64_t bytes);

  // Broadcaster: a signed init segment or chunk from the segmenter and signer.
  bool publish_init(ByteView signed_header, ByteView init, TimeMs now);
  bool publish_chunk(ByteView signed_header, ByteView payload, TimeMs now);
  // Broadcaster: the stream's signed rendition list (trust/rendition_ladder.hpp), sent to
  // every peer now and to each new one after its handshake. A viewer hands over the
  // list the HTTP origin's index carries the same way. False, and nothing sent, when it
  // does not verify or is not newer than the list held.
  bool publish_ladder(ByteView signed_ladder, TimeMs now);
  // The newest verified rendition list, from publish_ladder or a peer; null before one.
  const trust::RenditionLadder* ladder() const { return ladder_ ? &*ladder_ : nullptr; }

  // Viewer, HTTP fallback: a signed chunk or init segment from the origin, checked like
  // a published one; false, and nothing kept, when it does not verify. Its pieces are
  // then advertised and served like any verified piece.
  bool on_http_chunk(ByteView signed_header, ByteView payload, TimeMs now);
  // The origin's index: the chunk seqs it holds of the rendition asked, oldest first.
  // Hand over the signed rendition list it came with first (publish_ladder).
  void on_http_index(std::span<const ChunkSeq> chunks, TimeMs now);

  // Viewer: the player now aims at `ms` of glass-to-glass latency (EngineConfig's
  // target_latency_ms): where a joiner starts, or, once playing, every later deadline
  // moved by the change, as the player holds its picture or jumps to meet it. On a
  // jump nearer the live edge, the chunks that end before the new moment will not be
  // played: the playhead moves past them instead of waiting for them.
  void set_target_latency(std::uint32_t ms, TimeMs now);

  // This device's state or its viewer's upload setting changed (the tab went hidden,
  // the network became metered, the viewer chose Off or a cap, ...). The upload
  // policy follows at once: every peer is sent a DeviceStatus, then, if this device no
  // longer serves, a Choke (what they had asked of it and not yet received they ask of
  // others; a piece already sent still arrives and verifies), else the new budget
  // holds from the next piece on. The broadcaster keeps serving whatever its device.
  void set_device(const DeviceConstraints& device, TimeMs now);
  // What this device's rules allow it to upload now (upload_policy.hpp).
  const UploadAllowance& upload_allowance() const { return allowance_; }

  // Viewer: which rendition to play: the viewer's fixed choice, or none for Auto (the
  // ABR rule, abr_rule.hpp). Taken up at the next tick; a switch happens at the next
  // chunk not yet handed to the player.
  void set_rendition_choice(std::optional<RenditionId> choice) { manual_ = choice; }
  // Viewer: the renditions this device cannot decode (bit r: rendition r), never chosen.
  void set_undecodable(std::bitset<trust::kMaxRenditions> undecodable) { undecodable_ = undecodable; }
  // The rendition whose chunks go to the player now (0 for a stream of one).
  RenditionId playing() const { return playing_; }
  // What the rule decided at the last tick (kOnlyChoice before a list of several).
  const AbrDecision& last_abr_decision() const { return last_decision_; }
  // The viewer's fixed choice; none: Auto.
  std::optional<RenditionId> rendition_choice() const { return manual_; }

  void tick(TimeMs now);

  // Chat (swarm/chat.hpp): a line signed by this side's author key, passed on to every
  // peer if new (kNew); anything else is not sent. Lines that are new, posted here or
  // from peers, are delivered by take_chat in the order they came.
  ChatVerdict post_chat(const wire::Chat& chat, TimeMs now);
  std::vector<wire::Chat> take_chat() { return std::exchange(chat_inbox_, {}); }

  std::vector<OutgoingMessage> take_outbox() { return std::exchange(outbox_, {}); }
  std::vector<PlayerItem> take_playable() { return std::exchange(playable_, {}); }
  // Peers the transport should close (banned, silent, or said goodbye).
  std::vector<PeerId> take_disconnects() { return std::exchange(disconnects_, {}); }
  std::vector<HttpFetch> take_http_fetches() { return std::exchange(http_fetches_, {}); }

  const EngineStats& stats() const { return stats_; }
  // The counters with the playback figures, in name order: stats_json() writes them
  // natively, and the wasm bindings hand them to JavaScript as an object (no JSON
  // library in the wasm).
  std::vector<StatField> stats_report(TimeMs now) const;
  std::string stats_json(TimeMs now) const;
  const PlaybackClock& playback() const { return playback_; }
  const ChunkBuffer& buffer() const { return buffer_; }
  std::size_t peer_count() const;
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
  void on_piece(Remote& peer, const wire::PieceView& m, TimeMs now);
  void on_chunk_header(Remote& peer, const wire::ChunkHeader& m, TimeMs now);
  void on_init_segment(Remote& peer, const wire::InitSegment& m);
  void on_request(Remote& peer, const wire::Request& m);
  void on_chat(Remote& peer, wire::Chat chat, TimeMs now);
  void on_device_status(Remote& peer, const wire::DeviceStatus& m);
  void pass_on_chat(const wire::Chat& chat, const Remote* from);
  void send_chat_history(Remote& peer);
  void measure_delivery(Remote& peer, std::size_t bytes, TimeMs took, TimeMs now);
  // The allowance from config_.device and the stream's rate, and the upload budget
  // and backlog limit that follow from it; then, if what this engine declares differs
  // from `before`, a DeviceStatus to every peer and the choice of whom to serve made
  // again.
  void apply_device(const wire::DeviceStatus& before, TimeMs now);
  void compute_allowance();
  wire::DeviceStatus device_status() const;
  // Bytes per second of the rendition played, over its chunks held; none before the
  // first header.
  std::optional<double> stream_bytes_per_s() const { return rendition_bytes_per_s(playing_); }
  // What the chunks held of `rendition` weigh per second of media (their signed sizes
  // over their durations); none before one is held.
  std::optional<double> rendition_bytes_per_s(RenditionId rendition) const;

  // Whether a verified header's rendition is one the stream's list has (or 0 before any
  // list); one that names a rendition the list rules out is forged.
  trust::RenditionStanding standing(const trust::ChunkHeader& header) const {
    return trust::rendition_standing(ladder(), header);
  }
  // Whether the stream has this rendition now (before any list: 0 alone). Adverts and
  // requests of any other are ignored.
  bool listed(RenditionId rendition) const {
    return ladder_ ? ladder_->find(rendition) != nullptr : rendition == RenditionId{0};
  }
  // ABR (engine_abr.cpp). A switch is planned at a seq: from there on the chunks wanted
  // and handed over are the new rendition's.
  struct SwitchPlan {
    RenditionId to;
    ChunkSeq at;
  };
  RenditionId rendition_at(ChunkSeq seq) const { return plan_ && plan_->at <= seq ? plan_->to : playing_; }
  // A stream of several renditions: its viewers' links are judged as a whole (the link
  // rate bounds what is asked and how long it may take, expired requests are
  // cancelled, stripes skip backed-up relays). A stream of one is fetched as before.
  bool several_renditions() const { return ladder_ && ladder_->renditions.size() > 1; }
  // The link's delivery rate while fetching, engine-wide (measure_delivery's rule).
  void observe_link(std::size_t bytes, TimeMs took, TimeMs now);
  std::optional<double> link_rate(TimeMs now) const;
  std::optional<double> arriving_rate(TimeMs now) const;
  std::optional<double> link_carries_now(TimeMs now) const;
  void note_outstanding(TimeMs now);
  void end_link_busy_period();
  // Media in the player ahead of what it plays now, in ms.
  std::uint32_t buffer_ms(TimeMs now) const;
  void choose_rendition_now(TimeMs now);
  std::uint32_t starved_ms(TimeMs now);
  // The renditions that nobody near has advertised lately.
  std::bitset<trust::kMaxRenditions> unreachable_renditions() const;
  // What a rendition weighs per second for the rule: the larger of its nominal bitrate
  // and its chunks' signed sizes.
  double weighed_bytes_per_s(const trust::Rendition& rendition) const;
  // The lowest rendition, when this viewer keeps it for neighbours besides its own.
  std::optional<RenditionId> kept_for_neighbours(TimeMs now) const;
  ChunkSeq switch_point(RenditionId to) const;
  // Withdraws what was asked of `rendition` from seq `from` on (a switch away from it).
  void abandon(ChunkSeq from, RenditionId rendition);
  // The chunk of `to` at the playhead went to the player: the switch is made.
  void switched(RenditionId to, TimeMs now);
  void announce_playing();
  void on_rendition_list(Remote& peer, const wire::RenditionList& m);
  // Keeps a verified list newer than the one held and sends it to every peer but `from`.
  void adopt_ladder(trust::RenditionLadder ladder, ByteView signed_ladder, const Remote* from);
  bool accept_header(ByteView signed_header, std::vector<trust::Digest> hashes, TimeMs now);
  void ban(Remote& peer);
  void refuse_malformed(Remote& peer, TimeMs now);
  void cancel_also_asked(ChunkId id, PieceIndex piece);
  bool arrives_in_time(PeerId peer, TimeMs deadline, TimeMs now) const;
  // Control messages; pieces go out through send_piece.
  void send(Remote& peer, const wire::Message& message);
  void send_piece(Remote& peer, const wire::PieceView& piece);
  void queue(Remote& peer, ByteVector bytes);
  void send_header(Remote& peer, ChunkId id);
  // Broadcaster: whom a new chunk of `rendition` (coming at bytes_per_s) is striped
  // across, best first, and across how many (engine_upload.cpp).
  std::vector<PeerId> stripe_relays(RenditionId rendition, double bytes_per_s, TimeMs now) const;
  std::size_t stripe_fanout(RenditionId rendition) const;
  void introduce_holdings(Remote& peer);

  void expire_requests(TimeMs now);
  void drop_silent_peers(TimeMs now);
  void advance_playback(TimeMs now);
  void choose_start(TimeMs now);
  void catch_up(const ChunkEntry& handed, TimeMs now);
  std::int64_t start_capture_time(TimeMs now) const;
  // Fills wanted_ for pick_requests: how many chunks, 0 when it could ask for nothing.
  std::size_t gather_wanted(TimeMs now);
  void schedule_requests(TimeMs now);
  double link_room_bytes(TimeMs now) const;
  void plan_http_fetches(TimeMs now);
  void ask_http(HttpFetch fetch, TimeMs now);
  void advertise();
  void update_unchoked(TimeMs now);
  void serve(TimeMs now);
  void ping(TimeMs now);
  void evict();

  EngineConfig config_;
  double configured_total_budget_;  // the caller's UploadConfig::total_budget_bytes_per_s
  UploadAllowance allowance_;
  bool allowance_on_stream_rate_ = false;  // allowance_ used the stream's measured rate, not a default
  std::uint64_t backlog_limit_;  // bytes; see max_buffered_bytes
  ChunkBuffer buffer_;
  RequestTracker requests_;
  PlaybackClock playback_;
  UploadBudget budget_;
  // By value, side by side: every tick walks them all several times.
  FlatMap<PeerId, Remote> peers_;
  FlatMap<ChunkId, ByteVector> signed_headers_;  // the bytes as signed, for forwarding
  std::optional<trust::RenditionLadder> ladder_;
  ByteVector signed_ladder_;  // ladder_'s bytes as signed, for forwarding
  std::map<InitId, InitEntry> inits_;
  FlatMap<ChunkId, std::vector<std::uint32_t>> fresh_pieces_;  // verified since the last advert
  std::set<PeerId> banned_;
  std::optional<ChunkSeq> playhead_;
  std::optional<ChunkSeq> swept_before_;  // the oldest chunk when evict() last swept
  // The least (arrival - end of capture) over the chunk headers received, on our clock
  // against the broadcaster's: header travel plus any difference between the clocks.
  std::optional<std::int64_t> live_edge_offset_;
  std::optional<std::int64_t> start_chosen_at_offset_;  // live_edge_offset_ when choose_start() last ran
  std::optional<Epoch> player_epoch_;
  std::optional<trust::ChunkHeader> last_played_;
  std::optional<TimeMs> late_since_;  // when the chunk at the playhead became late
  bool catching_up_ = false;  // started on a keyframe chunk older than the moment (catch_up)
  std::vector<OutgoingMessage> outbox_;
  std::vector<PlayerItem> playable_;
  std::vector<PeerId> disconnects_;
  std::vector<HttpFetch> http_fetches_;
  ChatRelay chat_;
  std::vector<wire::Chat> chat_inbox_;
  // schedule_requests' inputs to pick_requests, kept from tick to tick with the piece
  // lists inside them so that a tick allocates none of them anew.
  std::vector<WantedChunk> wanted_;
  std::vector<PeerId> also_asked_;  // of the piece that just arrived (RequestTracker::complete)
  std::vector<PeerCandidate> candidates_;
  // Every piece any peer but the source, connected or gone, has told us it holds: a
  // superset of what the peers we may ask before a deadline is near hold.
  PieceAvailability advertised_;
  std::map<HttpFetch, TimeMs> http_asked_;  // when each fetch was asked, until it may be asked again
  std::optional<TimeMs> first_tick_;
  RenditionId playing_{0};
  std::optional<RenditionId> manual_;
  std::bitset<trust::kMaxRenditions> undecodable_;
  std::optional<SwitchPlan> plan_;
  AbrDecision last_decision_{RenditionId{0}, AbrReason::kOnlyChoice};
  std::vector<AbrObservation> observations_;  // oldest first, the last kKeptObservationsMs
  std::vector<AbrSwitch> switches_;          // the rule's, oldest first, the last flap window
  std::optional<TimeMs> starved_since_;  // the buffer under the panic floor since then
  TimeMs last_switch_at_{-1'000'000};
  TimeMs last_observation_{-1'000'000};
  std::optional<TimeMs> link_busy_since_;  // start of the current link-rate sample
  std::uint64_t link_busy_bytes_ = 0;
  // The next piece asked for is a busy period's first (observe_link).
  bool link_busy_first_ = true;
  double link_bytes_per_s_ = 0;             // smoothed
  // Pieces that arrived over the last second, and since when requests have been
  // outstanding without a break (arriving_rate).
  std::deque<std::pair<TimeMs, std::uint32_t>> arrivals_;
  std::optional<TimeMs> outstanding_since_;
  std::optional<TimeMs> link_measured_at_;
  std::optional<TimeMs> push_last_at_;  // the last piece of the current pushed burst
  TimeMs push_burst_start_{0};
  std::uint64_t push_burst_bytes_ = 0;
  TimeMs last_unchoke_{-1'000'000};
  // No peer can fall silent, or be due a ping, before these: last_heard and last_ping
  // only move forward, so the walks over every peer can wait until then.
  TimeMs silence_check_at_{0};
  TimeMs ping_check_at_{0};
  std::uint64_t rotation_ = 0;
  EngineStats stats_;
};

}  // namespace swarmcast::swarm
