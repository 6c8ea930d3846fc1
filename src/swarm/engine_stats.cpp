#include <algorithm>
#include <array>

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
StatField name_of(std::string_view name, std::string_view text) { return {name, std::nullopt, true, text}; }

constexpr std::array<std::string_view, trust::kMaxRenditions> kMsOnRendition = {
    "ms_on_rendition_0", "ms_on_rendition_1", "ms_on_rendition_2", "ms_on_rendition_3",
    "ms_on_rendition_4", "ms_on_rendition_5", "ms_on_rendition_6", "ms_on_rendition_7"};

}  // namespace

std::vector<StatField> Engine::stats_report(TimeMs now) const {
  const EngineStats& s = stats_;
  const double received = static_cast<double>(s.media_bytes_received);
  // Peers are the other viewers: neither the broadcaster nor the HTTP origin.
  const double from_origin = static_cast<double>(s.media_bytes_from_source + s.media_bytes_from_http);
  const std::optional<std::int64_t> startup = playback_.startup_ms();
  std::vector<StatField> out{
      // The viewer's fixed choice of rendition; null: Auto.
      manual_ ? count("abr_manual", std::uint64_t{manual_->value}) : StatField{"abr_manual", std::nullopt, true},
      name_of("abr_reason", to_string(last_decision_.reason)),
      // What the rule saw last: media ahead in the player, and the link's rate while
      // fetching (null before one was measured).
      count("abr_buffer_ms", std::uint64_t{buffer_ms(now)}),
      link_measured_at_ ? count("abr_link_bytes_per_s", static_cast<std::uint64_t>(link_bytes_per_s_))
                        : StatField{"abr_link_bytes_per_s", std::nullopt, true},
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
  };
  // Media played per rendition: the stream's renditions (0 alone without a list).
  for (std::uint8_t r = 0; r < trust::kMaxRenditions; ++r)
    if (ladder_ ? ladder_->find(RenditionId{r}) != nullptr : r == 0) out.push_back(count(kMsOnRendition[r], s.ms_on_rendition[r]));
  const std::vector<StatField> rest{
      count("peers", std::uint64_t{peer_count()}),
      count("piece_requests_received", s.piece_requests_received),
      count("piece_requests_refused", s.piece_requests_refused),
      count("piece_requests_served", s.piece_requests_served),
      count("protocol_errors", s.protocol_errors),
      count("rendition", std::uint64_t{playing_.value}),
      count("requests_sent", s.requests_sent),
      count("requests_timed_out", s.requests_timed_out),
      share("share_from_http", received > 0 ? static_cast<double>(s.media_bytes_from_http) / received : 0.0),
      share("share_from_peers", received > 0 ? 1.0 - from_origin / received : 0.0),
      count("stalled_ms", playback_.stalled_ms()),
      count("stalls", std::uint64_t{playback_.stalls()}),
      startup ? count("startup_ms", *startup) : StatField{"startup_ms", std::nullopt, true},
      count("switches_down", s.switches_down),
      count("switches_up", s.switches_up),
      count("watched_ms", playback_.watched_ms(now)),
  };
  out.insert(out.end(), rest.begin(), rest.end());
  // The chunk the player waits for next, and how much of it is here and on its way: what
  // a stall is waiting on (null before a start is chosen, or while its header is unknown).
  const std::optional<ChunkId> waited = playhead_ ? std::optional<ChunkId>{{*playhead_, rendition_at(*playhead_)}} : std::nullopt;
  const ChunkEntry* next = waited ? buffer_.find(*waited) : nullptr;
  const std::vector<StatField> waiting{
      waited ? count("next_chunk_seq", waited->seq.value) : StatField{"next_chunk_seq", std::nullopt, true},
      next ? count("next_chunk_pieces", std::uint64_t{next->piece_count()}) : StatField{"next_chunk_pieces", std::nullopt, true},
      next ? count("next_chunk_pieces_held", std::uint64_t{next->pieces_have}) : StatField{"next_chunk_pieces_held", std::nullopt, true},
      next ? count("next_chunk_pieces_asked", std::uint64_t{requests_.of_chunk(*waited).size()})
           : StatField{"next_chunk_pieces_asked", std::nullopt, true},
  };
  out.insert(out.end(), waiting.begin(), waiting.end());
  return out;
}

std::string Engine::stats_json(TimeMs now) const {
  nlohmann::json out = nlohmann::json::object();
  for (const StatField& field : stats_report(now)) {
    nlohmann::json& slot = out[std::string(field.name)];
    if (!field.text.empty()) slot = std::string(field.text);
    else if (!field.value) slot = nullptr;
    else if (field.whole) slot = static_cast<std::int64_t>(*field.value);
    else slot = *field.value;
  }
  return out.dump();
}

}  // namespace swarmcast::swarm
