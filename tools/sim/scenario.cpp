#include "scenario.hpp"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace swarmcast::sim {

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  const nlohmann::json j = nlohmann::json::parse(in);
  Scenario s;
  s.name = j.at("name").get<std::string>();
  s.viewers = j.value("viewers", s.viewers);
  s.seconds = j.value("seconds", s.seconds);
  s.seed = j.value("seed", s.seed);
  s.stream_kbps = j.value("stream_kbps", s.stream_kbps);
  s.broadcaster_up_kbps = j.value("broadcaster_up_kbps", s.broadcaster_up_kbps);
  s.selection.peers_per_answer = j.value("peers_per_answer", s.selection.peers_per_answer);
  s.selection.broadcaster_links = j.value("broadcaster_links", s.selection.broadcaster_links);
  s.selection.viewer_links = j.value("viewer_links", s.selection.viewer_links);
  s.min_peers = j.value("min_peers", s.min_peers);
  s.peers_request_interval_ms = j.value("peers_request_interval_ms", s.peers_request_interval_ms);
  s.stats_interval_ms = j.value("stats_interval_ms", s.stats_interval_ms);
  s.join_window_s = j.value("join_window_s", s.join_window_s);
  s.latency_min_ms = j.value("latency_min_ms", s.latency_min_ms);
  s.latency_max_ms = j.value("latency_max_ms", s.latency_max_ms);
  s.churn_per_min = j.value("churn_per_min", s.churn_per_min);
  s.polluter_share = j.value("polluter_share", s.polluter_share);
  for (const auto& u : j.at("uplinks")) s.uplinks.push_back({u.at("share"), u.at("min_kbps"), u.at("max_kbps")});
  if (j.contains("expect_min")) s.expect_min = j["expect_min"].get<std::map<std::string, double>>();
  if (j.contains("expect_max")) s.expect_max = j["expect_max"].get<std::map<std::string, double>>();
  if (s.viewers == 0 || s.seconds == 0 || s.uplinks.empty() || s.stream_kbps <= 0)
    throw std::runtime_error(path + ": viewers, seconds, stream_kbps and uplinks must be set");
  if (s.selection.peers_per_answer == 0 || s.peers_request_interval_ms == 0 || s.stats_interval_ms == 0)
    throw std::runtime_error(path + ": peers_per_answer, peers_request_interval_ms and stats_interval_ms must be > 0");
  return s;
}

}  // namespace swarmcast::sim
