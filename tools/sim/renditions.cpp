#include "renditions.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "synthetic_stream.hpp"
#include "trust/rendition_ladder.hpp"

namespace swarmcast::sim {
namespace {

// What a set of viewers watched, summed.
struct Watched {
  std::array<std::uint64_t, trust::kMaxRenditions> ms{};
  std::uint64_t carried_ms = 0;  // on a level at most the viewer's download cap
  std::uint64_t switches = 0;
  std::size_t viewers = 0;

  void add(const ViewerWatch& viewer, const std::vector<RenditionSpec>& renditions) {
    for (std::size_t r = 0; r < renditions.size(); ++r) {
      ms[r] += viewer.ms_on_rendition[r];
      if (renditions[r].kbps <= viewer.down_kbps) carried_ms += viewer.ms_on_rendition[r];
    }
    switches += viewer.switches;
    ++viewers;
  }
  std::uint64_t total_ms() const { return std::accumulate(ms.begin(), ms.end(), std::uint64_t{0}); }
  // Shares of the media watched; a set that watched nothing is 1 on a carried level.
  double share(std::uint64_t part) const {
    return total_ms() > 0 ? static_cast<double>(part) / static_cast<double>(total_ms()) : 1.0;
  }
  nlohmann::json on_rendition(std::size_t count) const {
    nlohmann::json shares = nlohmann::json::array();
    for (std::size_t r = 0; r < count; ++r) shares.push_back(share(ms[r]));
    return shares;
  }
  double switches_per_viewer() const {
    return viewers > 0 ? static_cast<double>(switches) / static_cast<double>(viewers) : 0.0;
  }
};

}  // namespace

ByteVector signed_ladder(const std::vector<RenditionSpec>& specs, const trust::KeyPair& keys) {
  trust::RenditionLadder ladder{keys.public_key, 1, ChunkSeq{0}, {}};
  for (std::size_t r = 0; r < specs.size(); ++r) {
    const auto width = static_cast<std::uint16_t>((specs[r].height * 16 + 8) / 9);
    ladder.renditions.push_back(trust::Rendition{RenditionId{static_cast<std::uint8_t>(r)}, width, specs[r].height,
                                                 static_cast<std::uint32_t>(specs[r].kbps * 1000), 30'000, "vp8,opus"});
  }
  auto signed_bytes = trust::sign_ladder(ladder, keys.secret_key);
  if (!signed_bytes) throw std::runtime_error("the scenario's renditions do not make a valid rendition list");
  return std::move(signed_bytes).value();
}

ByteVector rendition_media(std::uint64_t seq, std::size_t rendition, double kbps, std::uint32_t chunk_ms) {
  return synthetic::media(seq + 97 * rendition, static_cast<std::size_t>(kbps * chunk_ms / 8));
}

void add_abr_metrics(nlohmann::json& result, const std::vector<ViewerWatch>& viewers, const Scenario& scenario) {
  const std::vector<RenditionSpec> renditions = published_renditions(scenario);
  Watched all, uncapped;
  std::vector<Watched> by_class(std::max<std::size_t>(1, scenario.downlinks.size()));
  for (const ViewerWatch& viewer : viewers) {
    all.add(viewer, renditions);
    by_class[viewer.down_class].add(viewer, renditions);
    if (std::isinf(viewer.down_kbps)) uncapped.add(viewer, renditions);
  }
  nlohmann::json kbps = nlohmann::json::array();
  for (const RenditionSpec& r : renditions) kbps.push_back(r.kbps);
  result["renditions_kbps"] = kbps;
  result["on_rendition"] = all.on_rendition(renditions.size());
  result["carried_share"] = all.share(all.carried_ms);
  result["switches_per_viewer"] = all.switches_per_viewer();
  if (uncapped.viewers > 0) result["top_share_uncapped"] = uncapped.share(uncapped.ms[0]);
  double worst = all.share(all.carried_ms);
  for (std::size_t c = 0; c < scenario.downlinks.size(); ++c) {
    const Watched& of_class = by_class[c];
    nlohmann::json& entry = result["by_download_class"][scenario.downlinks[c].name];
    entry["on_rendition"] = of_class.on_rendition(renditions.size());
    entry["carried_share"] = of_class.share(of_class.carried_ms);
    entry["top_share"] = of_class.share(of_class.ms[0]);
    entry["switches_per_viewer"] = of_class.switches_per_viewer();
    worst = std::min(worst, of_class.share(of_class.carried_ms));
  }
  result["carried_share_worst_class"] = worst;
  // The source sends every rendition some viewer plays: twice their sum, over the top
  // rendition's rate (what source_upload_factor is a multiple of), as for one rendition.
  const double sum = std::accumulate(renditions.begin(), renditions.end(), 0.0,
                                     [](double s, const RenditionSpec& r) { return s + r.kbps; });
  const double bound = 2 * sum / renditions.front().kbps;
  result["source_upload_bound"] = bound;
  result["source_upload_factor_to_bound"] = result["source_upload_factor"].get<double>() / bound;
}

}  // namespace swarmcast::sim
