#include <algorithm>

#include <nlohmann/json.hpp>

#include "swarm/engine.hpp"

namespace swarmcast::swarm {
namespace {

std::int64_t percentile(std::vector<std::int64_t> values, double q) {
  if (values.empty()) return 0;
  const std::size_t k = std::min(values.size() - 1, static_cast<std::size_t>(q * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
  return values[k];
}

StatField count(std::string_view name, std::uint64_t value) { return {name, static_cast<double>(value), true}; }
StatField count(std::string_view name, std::int64_t value) { return {name, static_cast<double>(value), true}; }
StatField share(std::string_view name, double value) { return {name, value, false}; }

}  // namespace

std::vector<StatField> Engine::stats_report(TimeMs now) const {
  const EngineStats& s = stats_;
  const double received = static_cast<double>(s.media_bytes_received);
  // Peers are the other viewers: neither the broadcaster nor the HTTP origin.
  const double from_origin = static_cast<double>(s.media_bytes_from_source + s.media_bytes_from_http);
  const std::optional<std::int64_t> startup = playback_.startup_ms();
  return {
      count("bad_pieces", s.bad_pieces),
      count("bans", s.bans),
      count("buffer_bytes", std::uint64_t{buffer_.memory_bytes()}),
      count("buffered_chunks", std::uint64_t{buffer_.chunks().size()}),
      count("chat_lines_dropped", s.chat_lines_dropped),
      count("chat_lines_received", s.chat_lines_received),
      count("chunks_played", s.chunks_played),
      count("chunks_published", s.chunks_published),
      count("chunks_skipped", s.chunks_skipped),
      count("control_bytes_received", s.control_bytes_received),
      count("control_bytes_sent", s.control_bytes_sent),
      count("duplicate_bytes_received", s.duplicate_bytes_received),
      count("latency_p50_ms", percentile(playback_.latencies_ms(), 0.50)),
      count("latency_p95_ms", percentile(playback_.latencies_ms(), 0.95)),
      count("media_bytes_from_http", s.media_bytes_from_http),
      count("media_bytes_from_source", s.media_bytes_from_source),
      count("media_bytes_received", s.media_bytes_received),
      count("media_bytes_sent", s.media_bytes_sent),
      count("peers", std::uint64_t{peer_count()}),
      count("piece_requests_received", s.piece_requests_received),
      count("piece_requests_refused", s.piece_requests_refused),
      count("piece_requests_served", s.piece_requests_served),
      count("protocol_errors", s.protocol_errors),
      count("requests_sent", s.requests_sent),
      count("requests_timed_out", s.requests_timed_out),
      share("share_from_http", received > 0 ? static_cast<double>(s.media_bytes_from_http) / received : 0.0),
      share("share_from_peers", received > 0 ? 1.0 - from_origin / received : 0.0),
      count("stalled_ms", playback_.stalled_ms()),
      count("stalls", std::uint64_t{playback_.stalls()}),
      startup ? count("startup_ms", *startup) : StatField{"startup_ms", std::nullopt, true},
      count("watched_ms", playback_.watched_ms(now)),
  };
}

std::string Engine::stats_json(TimeMs now) const {
  nlohmann::json out = nlohmann::json::object();
  for (const StatField& field : stats_report(now)) {
    nlohmann::json& slot = out[std::string(field.name)];
    if (!field.value) slot = nullptr;
    else if (field.whole) slot = static_cast<std::int64_t>(*field.value);
    else slot = *field.value;
  }
  return out.dump();
}

}  // namespace swarmcast::swarm
