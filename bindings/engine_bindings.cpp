// Embind wrapper of swarm::Engine and the peer scorer. Peer ids and times cross as
// doubles (ids < 2^53, checked by web/core/engine.js); bytes cross as (pointer, length)
// in, fresh Uint8Arrays out.
#include <emscripten/bind.h>

#include "heap_bytes.hpp"
#include "ladder_js.hpp"
#include "swarm/engine.hpp"
#include "swarm/peer_scorer.hpp"
#include "trust/keys.hpp"
#include "wire/codec.hpp"

namespace swarmcast::bindings {
namespace {

using emscripten::val;

swarm::PeerId peer_id(double id) { return swarm::PeerId{static_cast<std::uint64_t>(id)}; }
TimeMs time_ms(double ms) { return TimeMs{static_cast<std::int64_t>(ms)}; }

// choice: swarm::UploadChoice's value (0 auto, 1 off, 2 cap), checked by web/core/engine-arguments.js.
swarm::DeviceConstraints device(bool metered, bool battery_low, bool hidden, std::uint32_t upload_budget,
                                std::uint32_t choice) {
  return swarm::DeviceConstraints{metered, battery_low, hidden, upload_budget,
                                  choice <= 2 ? static_cast<swarm::UploadChoice>(choice) : swarm::UploadChoice::kAuto};
}

const char* fetch_kind_name(swarm::HttpFetchKind kind) {
  switch (kind) {
    case swarm::HttpFetchKind::kChunk: return "chunk";
    case swarm::HttpFetchKind::kInit: return "init";
    case swarm::HttpFetchKind::kIndex: return "index";
  }
  return "chunk";
}

// The viewer's start and deadlines, from the player it feeds (EngineConfig says what
// each means); 0 in a field keeps the engine's default.
struct Timing {
  std::uint32_t target_latency_ms = 0;
  std::uint32_t start_lead_ms = 0;
  std::uint32_t player_lead_ms = 0;
};

swarm::EngineConfig engine_config(double self, bool broadcaster, std::uintptr_t stream_key,
                                  swarm::DeviceConstraints device, bool http_origin, const Timing& timing) {
  swarm::EngineConfig config;
  config.self = peer_id(self);
  config.broadcaster = broadcaster;
  const ByteView key = bytes_at(stream_key, config.stream.bytes.size());
  std::copy(key.begin(), key.end(), config.stream.bytes.begin());
  config.device = device;
  config.scheduler.http_origin = http_origin;
  if (timing.target_latency_ms > 0) config.target_latency_ms = timing.target_latency_ms;
  if (timing.start_lead_ms > 0) config.start_lead_ms = timing.start_lead_ms;
  config.player_lead_ms = timing.player_lead_ms;
  if (broadcaster) config.upload = swarm::broadcaster_upload_config();
  return config;
}

class EngineBinding {
 public:
  // stream_key: 32 bytes in the heap (the stream's Ed25519 public key).
  EngineBinding(double self, bool broadcaster, std::uintptr_t stream_key, bool metered, bool battery_low,
                bool hidden, std::uint32_t upload_budget, std::uint32_t choice, bool http_origin, const Timing& timing)
      : engine_(engine_config(self, broadcaster, stream_key, device(metered, battery_low, hidden, upload_budget, choice),
                              http_origin, timing)) {}

  void connect(double peer, double now) { engine_.connect(peer_id(peer), time_ms(now)); }
  void disconnect(double peer, double now) { engine_.disconnect(peer_id(peer), time_ms(now)); }
  void on_message(double peer, std::uintptr_t bytes, std::size_t length, double now) {
    engine_.on_message(peer_id(peer), bytes_at(bytes, length), time_ms(now));
  }
  void set_buffered_amount(double peer, double bytes) {
    engine_.set_buffered_amount(peer_id(peer), static_cast<std::uint64_t>(bytes));
  }

  bool publish_init(std::uintptr_t header, std::size_t header_length, std::uintptr_t init, std::size_t init_length,
                    double now) {
    return engine_.publish_init(bytes_at(header, header_length), bytes_at(init, init_length), time_ms(now));
  }
  bool publish_chunk(std::uintptr_t header, std::size_t header_length, std::uintptr_t payload,
                     std::size_t payload_length, double now) {
    return engine_.publish_chunk(bytes_at(header, header_length), bytes_at(payload, payload_length), time_ms(now));
  }

  bool publish_ladder(std::uintptr_t ladder, std::size_t length, double now) {
    return engine_.publish_ladder(bytes_at(ladder, length), time_ms(now));
  }

  // The newest verified rendition list (ladder_js.hpp), or null before one.
  val ladder() const {
    const trust::RenditionLadder* ladder = engine_.ladder();
    return ladder ? ladder_to_js(*ladder) : val::null();
  }

  bool on_http_chunk(std::uintptr_t header, std::size_t header_length, std::uintptr_t payload,
                     std::size_t payload_length, double now) {
    return engine_.on_http_chunk(bytes_at(header, header_length), bytes_at(payload, payload_length), time_ms(now));
  }
  // chunks: an array of seqs (checked by web/core/engine.js).
  void on_http_index(const val& chunks, double now) {
    std::vector<ChunkSeq> seqs;
    for (double seq : emscripten::vecFromJSArray<double>(chunks)) seqs.push_back(ChunkSeq{static_cast<std::uint64_t>(seq)});
    engine_.on_http_index(seqs, time_ms(now));
  }

  // ms: checked by web/core/engine.js (whole milliseconds up to a minute).
  void set_target_latency(double ms, double now) { engine_.set_target_latency(static_cast<std::uint32_t>(ms), time_ms(now)); }

  void set_device(bool metered, bool battery_low, bool hidden, std::uint32_t upload_budget, std::uint32_t choice,
                  double now) {
    engine_.set_device(device(metered, battery_low, hidden, upload_budget, choice), time_ms(now));
  }

  // rendition: an id of the stream's list, or -1 for Auto (checked by web/core/engine.js).
  void set_rendition_choice(double rendition) {
    if (rendition < 0 || rendition >= trust::kMaxRenditions) return engine_.set_rendition_choice(std::nullopt);
    engine_.set_rendition_choice(RenditionId{static_cast<std::uint8_t>(rendition)});
  }
  // renditions: an array of ids (checked by web/core/engine.js).
  void set_undecodable(const val& renditions) {
    std::bitset<trust::kMaxRenditions> undecodable;
    for (double id : emscripten::vecFromJSArray<double>(renditions))
      if (id >= 0 && id < trust::kMaxRenditions) undecodable.set(static_cast<std::size_t>(id));
    engine_.set_undecodable(undecodable);
  }

  void tick(double now) { engine_.tick(time_ms(now)); }

  // A signed chat line (SignerBinding.signChat's bytes): the engine's verdict, or
  // "malformed" for bytes that are not one.
  std::string post_chat(std::uintptr_t bytes, std::size_t length, double now) {
    auto message = wire::decode(bytes_at(bytes, length));
    if (!message || !std::holds_alternative<wire::Chat>(message.value())) return "malformed";
    return swarm::to_string(engine_.post_chat(std::get<wire::Chat>(message.value()), time_ms(now)));
  }

  val take_chat() {
    val out = val::array();
    for (const wire::Chat& chat : engine_.take_chat()) {
      val js = val::object();
      js.set("author", trust::to_base64url(chat.author));
      js.set("number", chat.number);
      js.set("sentAtMs", static_cast<double>(chat.sent_at_ms));
      js.set("kind", chat.kind == wire::ChatKind::kReaction ? "reaction" : "text");
      js.set("name", chat.name);
      js.set("text", chat.text);
      js.set("hops", chat.hops);
      out.call<void>("push", js);
    }
    return out;
  }

  val take_outbox() {
    val out = val::array();
    for (const auto& message : engine_.take_outbox()) {
      val item = val::object();
      item.set("to", static_cast<double>(message.to.value));
      item.set("bytes", to_js(message.bytes));
      out.call<void>("push", item);
    }
    return out;
  }

  val take_playable() {
    val out = val::array();
    for (const auto& item : engine_.take_playable()) {
      val js = val::object();
      js.set("init", item.init);
      js.set("epoch", item.epoch.value);
      js.set("seq", static_cast<double>(item.seq.value));
      js.set("capture", static_cast<double>(item.capture.value));
      js.set("startOffsetMs", static_cast<double>(item.start_offset_ms));
      js.set("keyframe", item.keyframe);
      js.set("rendition", item.rendition.value);
      js.set("bytes", to_js(item.bytes));
      out.call<void>("push", js);
    }
    return out;
  }

  val take_disconnects() {
    val out = val::array();
    for (swarm::PeerId id : engine_.take_disconnects()) out.call<void>("push", static_cast<double>(id.value));
    return out;
  }

  val take_http_fetches() {
    val out = val::array();
    for (const swarm::HttpFetch& fetch : engine_.take_http_fetches()) {
      val js = val::object();
      js.set("kind", std::string(fetch_kind_name(fetch.kind)));
      js.set("number", static_cast<double>(fetch.number));
      js.set("rendition", fetch.rendition.value);
      out.call<void>("push", js);
    }
    return out;
  }

  // An object, not JSON: the wasm then carries no JSON writer (and no printf for it).
  val stats(double now) const {
    val out = val::object();
    for (const swarm::StatField& field : engine_.stats_report(time_ms(now))) {
      if (!field.text.empty()) out.set(std::string(field.name), std::string(field.text));
      else out.set(std::string(field.name), field.value ? val(*field.value) : val::null());
    }
    return out;
  }
  double peer_count() const { return static_cast<double>(engine_.peer_count()); }

 private:
  swarm::Engine engine_;
};

val score_peer(double connected_at, double now, double delivery_bytes_per_s, double rtt_ms,
               std::uint32_t requests_sent, std::uint32_t requests_served, std::uint32_t requests_failed,
               std::uint32_t bad_pieces, bool metered, bool battery_low, bool hidden, std::uint32_t upload_budget,
               std::uint32_t choice) {
  swarm::PeerStats stats;
  stats.connected_at = time_ms(connected_at);
  stats.delivery_bytes_per_s = delivery_bytes_per_s;
  stats.rtt_ms = rtt_ms;
  stats.requests_sent = requests_sent;
  stats.requests_served = requests_served;
  stats.requests_failed = requests_failed;
  stats.bad_pieces = bad_pieces;
  stats.device = device(metered, battery_low, hidden, upload_budget, choice);
  const double points = swarm::score(stats, time_ms(now));
  val out = val::object();
  out.set("score", points);
  out.set("role", std::string(swarm::role_name(swarm::role_for(points, stats.device))));
  return out;
}

// A stream id (base64url public key) as its 32 key bytes; null when it is not one.
val stream_key_of(const std::string& stream_id) {
  auto key = trust::parse_stream_id(stream_id);
  return key ? to_js(key.value().bytes) : val::null();
}

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_engine) {
  emscripten::value_object<Timing>("EngineTiming")
      .field("targetLatencyMs", &Timing::target_latency_ms)
      .field("startLeadMs", &Timing::start_lead_ms)
      .field("playerLeadMs", &Timing::player_lead_ms);
  emscripten::class_<EngineBinding>("Engine")
      .constructor<double, bool, std::uintptr_t, bool, bool, bool, std::uint32_t, std::uint32_t, bool, const Timing&>()
      .function("connect", &EngineBinding::connect)
      .function("disconnect", &EngineBinding::disconnect)
      .function("onMessage", &EngineBinding::on_message)
      .function("setBufferedAmount", &EngineBinding::set_buffered_amount)
      .function("publishInit", &EngineBinding::publish_init)
      .function("publishChunk", &EngineBinding::publish_chunk)
      .function("publishLadder", &EngineBinding::publish_ladder)
      .function("ladder", &EngineBinding::ladder)
      .function("onHttpChunk", &EngineBinding::on_http_chunk)
      .function("onHttpIndex", &EngineBinding::on_http_index)
      .function("takeHttpFetches", &EngineBinding::take_http_fetches)
      .function("setTargetLatency", &EngineBinding::set_target_latency)
      .function("setDevice", &EngineBinding::set_device)
      .function("setRenditionChoice", &EngineBinding::set_rendition_choice)
      .function("setUndecodable", &EngineBinding::set_undecodable)
      .function("tick", &EngineBinding::tick)
      .function("takeOutbox", &EngineBinding::take_outbox)
      .function("takePlayable", &EngineBinding::take_playable)
      .function("takeDisconnects", &EngineBinding::take_disconnects)
      .function("postChat", &EngineBinding::post_chat)
      .function("takeChat", &EngineBinding::take_chat)
      .function("stats", &EngineBinding::stats)
      .function("peerCount", &EngineBinding::peer_count);
  emscripten::function("scorePeer", &score_peer);
  emscripten::function("streamKeyOf", &stream_key_of);
}

}  // namespace swarmcast::bindings
