#include "swarm_sim.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/flat_map.hpp"
#include "renditions.hpp"
#include "synthetic_stream.hpp"
#include "topology_report.hpp"
#include "trust/signed_header.hpp"
#include "wire/codec.hpp"

namespace swarmcast::sim {
namespace {

constexpr std::int64_t kStepMs = 10;
constexpr std::int64_t kTickMs = 50;
// A viewer that joined less than this before the run ended (churn replaces viewers up
// to the last second) had no fair chance to start: it is counted apart, not as a
// viewer that never started.
constexpr std::int64_t kStartGraceMs = 5000;

std::int64_t percentile(std::vector<std::int64_t> v, double q) {
  if (v.empty()) return 0;
  const std::size_t k = std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// A polluter flips one bit in every piece it sends; everything else it does honestly.
void corrupt(ByteVector& bytes) {
  auto message = wire::decode(bytes);
  if (!message || !std::holds_alternative<wire::Piece>(message.value())) return;
  auto& piece = std::get<wire::Piece>(message.value());
  piece.bytes[piece.bytes.size() / 2] ^= 0x40;
  bytes = wire::encode(piece);
}

// Polluters corrupt every piece they send, so a piece from one is a corrupt piece.
bool is_piece(ByteView message) {
  return !message.empty() && message[0] == static_cast<Byte>(wire::MessageType::kPiece);
}

// The sim publishes chunk `seq` when its last frame has been captured.
std::int64_t published_at(std::uint64_t seq, std::uint32_t chunk_ms) {
  return static_cast<std::int64_t>(seq + 1) * chunk_ms;
}

}  // namespace

struct SwarmSim::Node {
  std::unique_ptr<swarm::Engine> engine;
  double up_bytes_per_ms;
  double down_bytes_per_ms = std::numeric_limits<double>::infinity();
  std::size_t down_class = 0;  // its class in the scenario's downlinks, if any
  double latency_ms;
  bool polluter = false;
  bool uploads = true;  // false: it declares it cannot (a phone on mobile data)
  bool left = false;
  std::int64_t joined_at = 0;
  swarm::DeviceConstraints device;           // as it declares it in its stats reports
  std::int64_t asked_for_peers_at = INT64_MIN / 2;  // its last peers-request
  std::int64_t uplink_free_at = 0;
  std::int64_t downlink_free_at = 0;
  std::size_t pending_links = 0;  // handed peers it cannot reach, until its client gives up
  // Neighbours, each with this node's side of the channel to it: kept here, the hot
  // loops need not look at the neighbour's node.
  FlatMap<std::size_t, Channel> links;
  std::uint64_t corrupt_chunks_played = 0;
  std::vector<std::int64_t> delivery_ms;  // publish to hand-over to the player, per chunk
};

struct SwarmSim::Delivery {
  std::size_t from, to;
  bool from_polluter;
  ByteVector bytes;
  std::int64_t at = 0;      // when it reaches the receiver's access link
  bool downloaded = false;  // through the receiver's download cap already
  bool delivered = false;  // reached a live link (rather than one dropped on the way)
  bool polluted = false;   // a corrupt piece delivered to an honest node
};

struct SwarmSim::Sent {
  std::int64_t arrives_at;
  Delivery delivery;
};

struct SwarmSim::StepOutput {
  std::vector<Sent> sent;
  std::vector<std::size_t> dropped;  // neighbours the node's engine disconnected
};

SwarmSim::SwarmSim(Scenario scenario, unsigned threads)
    : scenario_(std::move(scenario)),
      rng_(scenario_.seed),
      workers_(threads),
      tracker_(scenario_.selection),
      ticks_(kStepMs, kTickMs),
      renditions_(published_renditions(scenario_)),
      produced_(renditions_.size()) {}
SwarmSim::~SwarmSim() = default;

const trust::KeyPair& sim_keys() { return synthetic::keys(42); }

void SwarmSim::join_viewer(std::int64_t now) {
  std::uniform_real_distribution<double> unit(0, 1);
  const LinkClass& up = scenario_.uplinks[pick_class(scenario_.uplinks, unit(rng_))];
  const double kbps = up.min_kbps + unit(rng_) * (up.max_kbps - up.min_kbps);
  auto node = std::make_unique<Node>();
  node->up_bytes_per_ms = kbps / 8.0;
  node->latency_ms = scenario_.latency_min_ms + unit(rng_) * (scenario_.latency_max_ms - scenario_.latency_min_ms);
  node->polluter = unit(rng_) < scenario_.polluter_share;
  // Drawn only when the scenario has them, so the older scenarios' draws stay as they were.
  if (!scenario_.downlinks.empty()) {
    node->down_class = pick_class(scenario_.downlinks, unit(rng_));
    const LinkClass& down = scenario_.downlinks[node->down_class];
    const double draw = unit(rng_);
    if (std::isfinite(down.max_kbps)) node->down_bytes_per_ms = (down.min_kbps + draw * (down.max_kbps - down.min_kbps)) / 8.0;
  }
  if (scenario_.non_uploader_share > 0) node->uploads = unit(rng_) >= scenario_.non_uploader_share;
  node->joined_at = now;
  swarm::EngineConfig config;
  config.self = id_of(nodes_.size());
  config.stream = sim_keys().public_key;
  config.verifier = verifier_;
  config.check_invariants = true;
  if (scenario_.target_latency_ms > 0) config.target_latency_ms = scenario_.target_latency_ms;
  config.device.upload_budget_bytes_per_s = static_cast<std::uint32_t>(kbps * 1000 / 8);
  config.device.metered = !node->uploads;
  node->device = config.device;
  node->engine = std::make_unique<swarm::Engine>(config);
  const bool can_upload = node->device.can_upload();
  nodes_.push_back(std::move(node));
  // It declares its uplink on joining (the join message's canUpload and uploadKbps).
  tracker_.add_viewer(can_upload ? kbps * 1000 / 8 : 0, can_upload, TimeMs{now});
  connect_assigned(nodes_.size() - 1, now);
}

void SwarmSim::connect_assigned(std::size_t seeker, std::int64_t now) {
  for (std::size_t peer : tracker_.assign(seeker)) link(seeker, peer, now);
}

// All at once, in node order, so the run stays deterministic: the clients' timers are
// not in phase in the product, but the server only reads the latest report.
void SwarmSim::report_stats(std::int64_t now) {
  for (std::size_t i = 1; i < nodes_.size(); ++i)
    if (!nodes_[i]->left) tracker_.report(i, nodes_[i]->engine->stats(), nodes_[i]->device, TimeMs{now});
}

void SwarmSim::ask_for_peers(std::int64_t now) {
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    Node& node = *nodes_[i];
    if (node.left || node.links.size() + node.pending_links >= scenario_.min_peers ||
        now - node.asked_for_peers_at < std::int64_t{scenario_.peers_request_interval_ms})
      continue;
    node.asked_for_peers_at = now;
    connect_assigned(i, now);
  }
}

void SwarmSim::link(std::size_t a, std::size_t b, std::int64_t now) {
  if (a == b || nodes_[a]->links.count(b) != 0) return;
  // The broadcaster is reachable (a server, or it would not stream to anyone).
  if (a != 0 && b != 0 && unconnectable(scenario_, a, b)) {
    ++nodes_[a]->pending_links;
    ++nodes_[b]->pending_links;
    failing_.push(now + scenario_.open_timeout_ms, {a, b});
    return;
  }
  const Channel channel{static_cast<std::int64_t>(nodes_[a]->latency_ms + nodes_[b]->latency_ms), lossy(scenario_, a, b)};
  nodes_[a]->links.try_emplace(b, channel);
  nodes_[b]->links.try_emplace(a, channel);
  nodes_[a]->engine->connect(id_of(b), TimeMs{now});
  nodes_[b]->engine->connect(id_of(a), TimeMs{now});
}

// The client gives up on a peer it could not reach after its open timeout, and tells
// the server, which does not hand either to the other again.
void SwarmSim::give_up_unconnectable(std::int64_t now) {
  failing_.pop_until(now, [&](const std::pair<std::size_t, std::size_t>& pair) {
    --nodes_[pair.first]->pending_links;
    --nodes_[pair.second]->pending_links;
    tracker_.unlink(pair.first, pair.second);
  });
}

void SwarmSim::leave_viewer(std::size_t index, std::int64_t now) {
  Node& node = *nodes_[index];
  node.left = true;
  tracker_.remove(index);
  for (const auto& [other, channel] : node.links) {
    nodes_[other]->links.erase(index);
    nodes_[other]->engine->disconnect(id_of(index), TimeMs{now});
  }
  node.links.clear();
}

void SwarmSim::publish_renditions() {
  swarm::Engine& source = *nodes_[0]->engine;
  // A stream of one rendition has no list, as the product's single-quality broadcast.
  if (renditions_.size() > 1 && !source.publish_ladder(signed_ladder(renditions_, sim_keys()), TimeMs{0}))
    throw std::runtime_error("the broadcaster refused the scenario's rendition list");
  // The sim's media are synthetic bytes; an init segment is signed and carried like a
  // real one, since players cannot start without it.
  for (std::size_t r = 0; r < renditions_.size(); ++r) {
    const ByteVector init(300, static_cast<Byte>(0x1A + r));
    source.publish_init(synthetic::signed_header(sim_keys(), trust::HeaderKind::kInit, 0, TimeMs{0}, 0, init, true,
                                                 RenditionId{static_cast<std::uint8_t>(r)}),
                        init, TimeMs{0});
  }
}

void SwarmSim::publish(std::uint64_t seq, std::int64_t now) {
  const std::uint32_t chunk_ms = scenario_.chunk_ms;
  const TimeMs capture{now - chunk_ms};
  const bool keyframe = seq * chunk_ms % scenario_.keyframe_ms == 0;
  for (std::size_t r = 0; r < renditions_.size(); ++r) {
    ByteVector payload = rendition_media(seq, r, renditions_[r].kbps, chunk_ms);
    nodes_[0]->engine->publish_chunk(synthetic::signed_header(sim_keys(), trust::HeaderKind::kChunk, seq, capture,
                                                              chunk_ms, payload, keyframe,
                                                              RenditionId{static_cast<std::uint8_t>(r)}),
                                     payload, TimeMs{now});
    if (r == 0) produced_bytes_ += payload.size();
    produced_[r].push_back(std::move(payload));
  }
}

void SwarmSim::step_node(std::size_t index, std::int64_t now, StepOutput& out) {
  out.sent.clear();
  out.dropped.clear();
  Node& node = *nodes_[index];
  if (node.left) return;
  // Every channel shares the uplink: its backlog is what the transport reports.
  const double backlog = std::max<double>(0, static_cast<double>(node.uplink_free_at - now)) * node.up_bytes_per_ms;
  node.engine->set_buffered_amount_everywhere(static_cast<std::uint64_t>(backlog));
  node.engine->tick(TimeMs{now});
  for (auto& message : node.engine->take_outbox()) {
    const std::size_t to = index_of(message.to);
    const auto link = node.links.find(to);
    if (link == node.links.end()) continue;
    if (node.polluter) corrupt(message.bytes);
    const std::size_t size = message.bytes.size();
    node.uplink_free_at = std::max(node.uplink_free_at, now) +
                          static_cast<std::int64_t>(static_cast<double>(size) / node.up_bytes_per_ms);
    const std::int64_t at = arrival(scenario_, link->second, index, to, size, node.uplink_free_at);
    out.sent.push_back({at, {index, to, node.polluter, std::move(message.bytes), at}});
  }
  for (swarm::PeerId gone : node.engine->take_disconnects()) out.dropped.push_back(index_of(gone));
  for (auto& item : node.engine->take_playable()) {
    if (item.init) continue;
    const std::size_t r = item.rendition.value;
    if (r >= produced_.size() || item.seq.value >= produced_[r].size() || item.bytes != produced_[r][item.seq.value])
      ++node.corrupt_chunks_played;
    node.delivery_ms.push_back(now - published_at(item.seq.value, scenario_.chunk_ms));
  }
}

// A step delivers what has arrived, then ticks the nodes due, so nothing sent in a step
// arrives in it: the step's nodes are independent of each other until here.
void SwarmSim::apply_step(const std::vector<std::size_t>& stepped, std::int64_t now) {
  for (std::size_t k = 0; k < stepped.size(); ++k) {
    const std::size_t index = stepped[k];
    for (Sent& sent : step_outputs_[k].sent) in_flight_.push(sent.arrives_at, std::move(sent.delivery));
    for (std::size_t other : step_outputs_[k].dropped) {
      if (nodes_[index]->links.erase(other) == 0) continue;
      nodes_[other]->links.erase(index);
      tracker_.unlink(index, other);
      nodes_[other]->engine->disconnect(id_of(index), TimeMs{now});
    }
  }
}

void SwarmSim::deliver_until(std::int64_t now) {
  arrived_.clear();
  // A capped download takes what reaches it in turn, in the order it arrives.
  in_flight_.pop_until(now, [&](Delivery& d) {
    Node& receiver = *nodes_[d.to];
    if (!d.downloaded && std::isfinite(receiver.down_bytes_per_ms)) {
      d.downloaded = true;
      receiver.downlink_free_at = std::max(receiver.downlink_free_at, d.at) +
                                  static_cast<std::int64_t>(static_cast<double>(d.bytes.size()) / receiver.down_bytes_per_ms);
      if (receiver.downlink_free_at > now) {
        d.at = receiver.downlink_free_at;
        in_flight_.push(d.at, std::move(d));
        return;
      }
    }
    arrived_.push_back(std::move(d));
  });
  group_by_receiver();
  workers_.for_each(arrival_groups_.size(), [&](std::size_t group) {
    for (std::size_t i = arrival_groups_[group].first; i < arrival_groups_[group].second; ++i) {
      Delivery& d = arrived_[arrival_order_[i]];
      if (nodes_[d.to]->left || nodes_[d.to]->links.count(d.from) == 0) continue;
      nodes_[d.to]->engine->on_message(id_of(d.from), d.bytes, TimeMs{now});
      d.delivered = true;
      d.polluted = d.from_polluter && !nodes_[d.to]->polluter && is_piece(d.bytes);
      ByteVector().swap(d.bytes);  // freed here, in parallel, rather than all at once after
    }
  });
  for (const Delivery& d : arrived_) {
    if (!d.delivered) continue;
    ticks_.heard(d.to);
    if (d.polluted) polluted_.insert({d.to, d.from});
  }
}

// A counting sort: arrival_order_ lists arrived_ by receiver (in delivery order within
// each), arrival_groups_ says where each receiver's run is. The runs' order is of no
// consequence, since each touches its own node.
void SwarmSim::group_by_receiver() {
  cursor_.resize(nodes_.size(), 0);
  receivers_.clear();
  for (const Delivery& d : arrived_)
    if (cursor_[d.to]++ == 0) receivers_.push_back(d.to);
  arrival_groups_.clear();
  std::size_t begin = 0;
  for (std::size_t node : receivers_) {
    arrival_groups_.push_back({begin, begin + cursor_[node]});
    cursor_[node] = begin;
    begin = arrival_groups_.back().second;
  }
  arrival_order_.resize(arrived_.size());
  for (std::size_t i = 0; i < arrived_.size(); ++i) arrival_order_[cursor_[arrived_[i].to]++] = i;
  for (std::size_t node : receivers_) cursor_[node] = 0;
}

nlohmann::json SwarmSim::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  swarm::EngineConfig source;
  source.self = id_of(0);
  source.broadcaster = true;
  source.stream = sim_keys().public_key;
  source.verifier = verifier_;
  source.check_invariants = true;
  source.upload = swarm::broadcaster_upload_config();
  auto broadcaster = std::make_unique<Node>();
  broadcaster->engine = std::make_unique<swarm::Engine>(source);
  broadcaster->up_bytes_per_ms = scenario_.broadcaster_up_kbps / 8.0;
  broadcaster->latency_ms = scenario_.latency_min_ms;
  nodes_.push_back(std::move(broadcaster));
  tracker_.add_broadcaster();
  publish_renditions();

  const std::int64_t end = std::int64_t{scenario_.seconds} * 1000;
  const std::int64_t join_gap = std::max<std::int64_t>(1, std::int64_t{scenario_.join_window_s} * 1000 / scenario_.viewers);
  std::uint32_t joined = 0;
  std::uniform_real_distribution<double> unit(0, 1);
  for (std::int64_t now = 0; now <= end; now += kStepMs) {
    if (now >= published_at(0, scenario_.chunk_ms) && now % scenario_.chunk_ms == 0)
      publish(static_cast<std::uint64_t>(now / scenario_.chunk_ms - 1), now);
    // Viewers join over the join window, starting once the stream is live.
    while (joined < scenario_.viewers && now >= 1000 + joined * join_gap) {
      join_viewer(now);
      ++joined;
    }
    if (scenario_.churn_per_min > 0 && now % 1000 == 0 && now > 1000 + std::int64_t{scenario_.join_window_s} * 1000) {
      for (std::size_t i = 1; i < nodes_.size(); ++i)
        if (!nodes_[i]->left && unit(rng_) < scenario_.churn_per_min / 60.0) {
          leave_viewer(i, now);
          join_viewer(now);
        }
    }
    if (now % scenario_.stats_interval_ms == 0) report_stats(now);
    give_up_unconnectable(now);
    if (now % 1000 == 0) ask_for_peers(now);
    deliver_until(now);
    // Nodes tick every 50 ms, staggered so they do not all act in the same instant, and
    // at the end of any step in which messages reached them (as the browser shim ticks
    // after a burst of channel messages), so a hop costs no timer wait.
    const std::vector<std::size_t>& due = ticks_.due(now, nodes_.size());
    if (step_outputs_.size() < due.size()) step_outputs_.resize(due.size());
    workers_.for_each(due.size(), [&](std::size_t k) { step_node(due[k], now, step_outputs_[k]); });
    apply_step(due, now);
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return metrics(wall);
}

nlohmann::json SwarmSim::metrics(double wall_seconds) const {
  const TimeMs end{std::int64_t{scenario_.seconds} * 1000};
  std::uint64_t received = 0, control = 0, media_sent = 0, corrupt = 0, polluters = 0, duplicates = 0, timeouts = 0, requests = 0, skipped = 0, stalls = 0;
  std::uint64_t polluter_bans = 0, honest_bans = 0, never_started = 0, joined_at_the_end = 0;
  std::int64_t stalled = 0, watched = 0;
  struct ClassPlayback {
    std::int64_t stalled = 0, watched = 0, viewers = 0;
  };
  std::vector<ClassPlayback> by_class(std::max<std::size_t>(1, scenario_.downlinks.size()));
  double viewer_upload_kbps = 0;  // what the honest uploaders could give: the bound's Σu_i
  std::vector<std::int64_t> startups, latencies, deliveries, start_latencies;
  std::vector<std::int64_t> upload_use_permille;  // of each uploading viewer: media sent / what its uplink could send
  std::vector<ViewerWatch> watches;
  std::set<swarm::PeerId> polluter_ids;
  // Each honest peer that got a corrupt piece from a polluter must have banned it.
  const auto polluted_unbanned = std::count_if(polluted_.begin(), polluted_.end(), [&](const auto& pair) {
    return nodes_[pair.first]->engine->banned().count(id_of(pair.second)) == 0;
  });
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i]->polluter) polluter_ids.insert(id_of(i));
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& n = *nodes_[i];
    const auto& s = n.engine->stats();
    control += s.control_bytes_sent;
    media_sent += s.media_bytes_sent;
    if (i == 0) continue;
    if (n.uploads && !n.polluter) {
      viewer_upload_kbps += n.up_bytes_per_ms * 8;
      const double could = n.up_bytes_per_ms * static_cast<double>(std::max<std::int64_t>(1, end.value - n.joined_at));
      upload_use_permille.push_back(std::lround(1000.0 * static_cast<double>(s.media_bytes_sent) / could));
    }
    if (n.polluter) {
      ++polluters;
      continue;
    }
    for (swarm::PeerId b : n.engine->banned()) ++(polluter_ids.count(b) ? polluter_bans : honest_bans);
    received += s.media_bytes_received;
    duplicates += s.duplicate_bytes_received;
    timeouts += s.requests_timed_out;
    requests += s.requests_sent;
    skipped += s.chunks_skipped;
    stalls += n.engine->playback().stalls();
    corrupt += n.corrupt_chunks_played;
    const auto& playback = n.engine->playback();
    if (playback.startup_ms()) startups.push_back(*playback.startup_ms());
    else if (end.value - n.joined_at >= kStartGraceMs) ++never_started;
    else ++joined_at_the_end;
    stalled += playback.stalled_ms();
    watched += playback.watched_ms(end);
    ClassPlayback& of_class = by_class[n.down_class];
    of_class.stalled += playback.stalled_ms();
    of_class.watched += playback.watched_ms(end);
    ++of_class.viewers;
    latencies.insert(latencies.end(), playback.latencies_ms().begin(), playback.latencies_ms().end());
    if (!playback.latencies_ms().empty()) start_latencies.push_back(playback.latencies_ms().front());
    deliveries.insert(deliveries.end(), n.delivery_ms.begin(), n.delivery_ms.end());
    watches.push_back({n.down_class, n.down_bytes_per_ms * 8, s.ms_on_rendition, s.switches_up + s.switches_down});
  }
  const double source_sent = static_cast<double>(nodes_[0]->engine->stats().media_bytes_sent);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  nlohmann::json result = {
      {"scenario", scenario_.name},
      {"viewers", scenario_.viewers},
      {"offload", received > 0 ? 1.0 - source_sent / static_cast<double>(received) : 0.0},
      {"source_upload_factor", produced_bytes_ > 0 ? source_sent / static_cast<double>(produced_bytes_) : 0.0},
      {"startup_p50_ms", percentile(startups, 0.5)},
      {"startup_p95_ms", percentile(startups, 0.95)},
      {"never_started", never_started},
      {"joined_at_the_end", joined_at_the_end},
      {"latency_p50_ms", percentile(latencies, 0.5)},
      {"latency_p95_ms", percentile(latencies, 0.95)},
      {"latency_p99_ms", percentile(latencies, 0.99)},
      {"start_latency_p50_ms", percentile(start_latencies, 0.5)},
      {"start_latency_p95_ms", percentile(start_latencies, 0.95)},
      {"delivery_p50_ms", percentile(deliveries, 0.5)},
      {"delivery_p95_ms", percentile(deliveries, 0.95)},
      {"continuity", watched > 0 ? 1.0 - static_cast<double>(stalled) / static_cast<double>(watched) : 0.0},
      {"rebuffer_ratio", watched > 0 ? static_cast<double>(stalled) / static_cast<double>(watched) : 0.0},
      {"control_overhead", media_sent > 0 ? static_cast<double>(control) / static_cast<double>(media_sent) : 0.0},
      {"corrupt_chunks_played", corrupt},
      {"chunks_skipped", skipped},
      {"stalls", stalls},
      {"duplicate_ratio", received > 0 ? static_cast<double>(duplicates) / static_cast<double>(received) : 0.0},
      {"viewer_upload_use_p10", static_cast<double>(percentile(upload_use_permille, 0.1)) / 1000},
      {"viewer_upload_use_p50", static_cast<double>(percentile(upload_use_permille, 0.5)) / 1000},
      {"viewer_upload_use_p90", static_cast<double>(percentile(upload_use_permille, 0.9)) / 1000},
      {"requests_timed_out_ratio", requests > 0 ? static_cast<double>(timeouts) / static_cast<double>(requests) : 0.0},
      {"polluters", polluters},
      {"polluter_bans", polluter_bans},
      {"honest_bans", honest_bans},
      {"polluted_pairs", polluted_.size()},
      {"polluted_pairs_unbanned", polluted_unbanned},
      {"simulated_seconds", scenario_.seconds},
      {"wall_seconds", wall_seconds},
      {"peak_rss_mb", static_cast<double>(usage.ru_maxrss) / 1024.0},
  };
  // The fluid bound over the viewers that took part (Kumar, Liu and Ross, INFOCOM
  // 2007): no swarm of these links streams faster without stalling.
  const double joined = static_cast<double>(nodes_.size() - 1);
  const double bound = std::min(scenario_.broadcaster_up_kbps, (scenario_.broadcaster_up_kbps + viewer_upload_kbps) / joined);
  result["stream_kbps"] = scenario_.stream_kbps;
  result["capacity_bound_kbps"] = bound;
  result["stream_to_bound"] = scenario_.stream_kbps / bound;
  double worst = 1;
  for (std::size_t c = 0; c < scenario_.downlinks.size(); ++c) {
    const ClassPlayback& of_class = by_class[c];
    const double continuity =
        of_class.watched > 0 ? 1.0 - static_cast<double>(of_class.stalled) / static_cast<double>(of_class.watched) : 1.0;
    result["by_download_class"][scenario_.downlinks[c].name] = {{"viewers", of_class.viewers}, {"continuity", continuity}};
    worst = std::min(worst, continuity);
  }
  result["continuity_worst_class"] = scenario_.downlinks.empty() ? result["continuity"].get<double>() : worst;
  add_abr_metrics(result, watches, scenario_);
  result.update(topology_metrics());
  return result;
}

nlohmann::json SwarmSim::topology_metrics() const {
  std::vector<NodeView> views(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const Node& node = *nodes_[i];
    views[i] = {node.left, tracker_.role(i), tracker_.down_links(i), node.engine->stats().media_bytes_sent, {}};
    for (const auto& [peer, channel] : node.links) views[i].links.push_back(peer);
  }
  return topology_report(views);
}

}  // namespace swarmcast::sim
