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

}  // namespace

std::string Engine::stats_json(TimeMs now) const {
  const EngineStats& s = stats_;
  nlohmann::json out = {
      {"peers", peer_count()},
      {"media_bytes_received", s.media_bytes_received},
      {"media_bytes_from_source", s.media_bytes_from_source},
      {"media_bytes_from_http", s.media_bytes_from_http},
      {"media_bytes_sent", s.media_bytes_sent},
      {"duplicate_bytes_received", s.duplicate_bytes_received},
      {"control_bytes_sent", s.control_bytes_sent},
      {"control_bytes_received", s.control_bytes_received},
      {"bad_pieces", s.bad_pieces},
      {"bans", s.bans},
      {"protocol_errors", s.protocol_errors},
      {"requests_sent", s.requests_sent},
      {"requests_timed_out", s.requests_timed_out},
      {"piece_requests_received", s.piece_requests_received},
      {"piece_requests_served", s.piece_requests_served},
      {"piece_requests_refused", s.piece_requests_refused},
      {"chat_lines_received", s.chat_lines_received},
      {"chat_lines_dropped", s.chat_lines_dropped},
      {"chunks_published", s.chunks_published},
      {"chunks_played", s.chunks_played},
      {"chunks_skipped", s.chunks_skipped},
      {"buffered_chunks", buffer_.chunks().size()},
      {"buffer_bytes", buffer_.memory_bytes()},
      {"stalled_ms", playback_.stalled_ms()},
      {"stalls", playback_.stalls()},
      {"watched_ms", playback_.watched_ms(now)},
      {"latency_p50_ms", percentile(playback_.latencies_ms(), 0.50)},
      {"latency_p95_ms", percentile(playback_.latencies_ms(), 0.95)},
  };
  out["startup_ms"] = playback_.startup_ms() ? nlohmann::json(*playback_.startup_ms()) : nlohmann::json(nullptr);
  const double received = static_cast<double>(s.media_bytes_received);
  // Peers are the other viewers: neither the broadcaster nor the HTTP origin.
  const double from_origin = static_cast<double>(s.media_bytes_from_source + s.media_bytes_from_http);
  out["share_from_peers"] = received > 0 ? 1.0 - from_origin / received : 0.0;
  out["share_from_http"] = received > 0 ? static_cast<double>(s.media_bytes_from_http) / received : 0.0;
  return out.dump();
}

}  // namespace swarmcast::swarm
