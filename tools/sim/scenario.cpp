#include "scenario.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "trust/signed_header.hpp"

namespace swarmcast::sim {
namespace {

// A class without min_kbps/max_kbps is unlimited, where that is allowed (downloads).
std::vector<LinkClass> link_classes(const nlohmann::json& list, bool unlimited_allowed, const std::string& path) {
  std::vector<LinkClass> classes;
  double shares = 0;
  for (const auto& c : list) {
    LinkClass link{c.at("share").get<double>(), 0, 0, c.value("name", "class" + std::to_string(classes.size()))};
    if (c.contains("min_kbps") || !unlimited_allowed) {
      link.min_kbps = c.at("min_kbps").get<double>();
      link.max_kbps = c.at("max_kbps").get<double>();
    } else {
      link.min_kbps = link.max_kbps = std::numeric_limits<double>::infinity();
    }
    if (!(link.share > 0) || !(link.min_kbps > 0) || link.max_kbps < link.min_kbps)
      throw std::runtime_error(path + ": a link class needs share > 0 and 0 < min_kbps <= max_kbps");
    shares += link.share;
    classes.push_back(std::move(link));
  }
  if (classes.empty() || shares < 0.999 || shares > 1.001) throw std::runtime_error(path + ": link class shares must add up to 1");
  return classes;
}

// Highest first, each rate below the one before, within what a signed list may hold.
std::vector<RenditionSpec> rendition_specs(const nlohmann::json& list, const std::string& path) {
  std::vector<RenditionSpec> specs;
  for (const auto& r : list) {
    const RenditionSpec spec{r.at("kbps").get<double>(), r.at("height").get<std::uint16_t>()};
    if (!(spec.kbps > 0) || spec.height == 0 || spec.height > 4320 || (!specs.empty() && !(spec.kbps < specs.back().kbps)))
      throw std::runtime_error(path + ": renditions are [{kbps, height}], highest kbps first, kbps > 0, 0 < height <= 4320");
    specs.push_back(spec);
  }
  if (specs.empty() || specs.size() > trust::kMaxRenditions)
    throw std::runtime_error(path + ": renditions holds 1 to " + std::to_string(trust::kMaxRenditions) + " renditions");
  return specs;
}

}  // namespace

std::vector<RenditionSpec> published_renditions(const Scenario& scenario) {
  if (!scenario.renditions.empty()) return scenario.renditions;
  return {RenditionSpec{scenario.stream_kbps, 720}};
}

double expected_capacity_bound_kbps(const Scenario& scenario) {
  double mean_up = 0;
  for (const LinkClass& c : scenario.uplinks) mean_up += c.share * (c.min_kbps + c.max_kbps) / 2;
  // Polluters upload, but nothing anyone can play.
  mean_up *= (1 - scenario.non_uploader_share) * (1 - scenario.polluter_share);
  const double n = scenario.viewers;
  return std::min(scenario.broadcaster_up_kbps, (scenario.broadcaster_up_kbps + n * mean_up) / n);
}

Scenario load_scenario(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  const nlohmann::json j = nlohmann::json::parse(in);
  Scenario s;
  s.name = j.at("name").get<std::string>();
  s.viewers = j.value("viewers", s.viewers);
  s.seconds = j.value("seconds", s.seconds);
  s.chunk_ms = j.value("chunk_ms", s.chunk_ms);
  s.keyframe_ms = j.value("keyframe_ms", s.keyframe_ms);
  s.target_latency_ms = j.value("target_latency_ms", s.target_latency_ms);
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
  s.non_uploader_share = j.value("non_uploader_share", s.non_uploader_share);
  s.unconnectable_share = j.value("unconnectable_share", s.unconnectable_share);
  s.open_timeout_ms = j.value("open_timeout_ms", s.open_timeout_ms);
  s.lossy_link_share = j.value("lossy_link_share", s.lossy_link_share);
  s.loss_rate = j.value("loss_rate", s.loss_rate);
  s.retransmit_ms = j.value("retransmit_ms", s.retransmit_ms);
  s.uplinks = link_classes(j.at("uplinks"), false, path);
  if (j.contains("downlinks")) s.downlinks = link_classes(j["downlinks"], true, path);
  s.stream_of_bound = j.value("stream_of_bound", s.stream_of_bound);
  if (j.contains("renditions")) {
    if (j.contains("stream_kbps") || s.stream_of_bound > 0)
      throw std::runtime_error(path + ": with renditions, the top rendition's kbps is the stream's rate");
    s.renditions = rendition_specs(j["renditions"], path);
    s.stream_kbps = s.renditions.front().kbps;
  }
  if (s.stream_of_bound > 0) s.stream_kbps = s.stream_of_bound * expected_capacity_bound_kbps(s);
  if (j.contains("expect_min")) s.expect_min = j["expect_min"].get<std::map<std::string, double>>();
  if (j.contains("expect_max")) s.expect_max = j["expect_max"].get<std::map<std::string, double>>();
  if (s.viewers == 0 || s.seconds == 0 || s.uplinks.empty() || s.stream_kbps <= 0)
    throw std::runtime_error(path + ": viewers, seconds, stream_kbps and uplinks must be set");
  for (double share : {s.non_uploader_share, s.unconnectable_share, s.lossy_link_share, s.loss_rate, s.polluter_share})
    if (!(share >= 0 && share <= 1)) throw std::runtime_error(path + ": shares and rates must be within [0, 1]");
  // Chunks are published on the simulation's 10 ms steps, and every whole second on
  // a chunk boundary (the loop's once-a-second work sees whole chunks).
  if (s.chunk_ms < 10 || s.chunk_ms % 10 != 0 || 1000 % s.chunk_ms != 0 || s.keyframe_ms % s.chunk_ms != 0 ||
      s.keyframe_ms == 0)
    throw std::runtime_error(path + ": chunk_ms must divide 1000 in steps of 10 ms, and keyframe_ms be a multiple of it");
  if (s.selection.peers_per_answer == 0 || s.peers_request_interval_ms == 0 || s.stats_interval_ms == 0)
    throw std::runtime_error(path + ": peers_per_answer, peers_request_interval_ms and stats_interval_ms must be > 0");
  return s;
}

}  // namespace swarmcast::sim
