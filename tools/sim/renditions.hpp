// The stream's renditions in the simulator: the signed list the broadcaster publishes,
// each rendition's synthetic media, and what the viewers watched on which (the ABR
// metrics of docs/SIMULATOR.md, "Renditions").
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "scenario.hpp"
#include "trust/keys.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::sim {

// The signed rendition list of `specs`: ids 0, 1... in the scenario's order (highest first).
ByteVector signed_ladder(const std::vector<RenditionSpec>& specs, const trust::KeyPair& keys);

// Chunk `seq` of rendition `rendition` (`chunk_ms` at `kbps`): bytes that differ per chunk and
// per rendition, rendition 0's the same as a stream of one rendition always had.
ByteVector rendition_media(std::uint64_t seq, std::size_t rendition, double kbps, std::uint32_t chunk_ms);

// What one honest viewer watched.
struct ViewerWatch {
  std::size_t down_class = 0;  // in the scenario's downlinks (0 without any)
  double down_kbps = 0;        // its download cap; infinity: none
  std::array<std::uint64_t, trust::kMaxRenditions> ms_on_rendition{};  // media handed to its player
  std::uint64_t switches = 0;
};

// Adds the ABR metrics to `result`: overall, per download class (into by_download_class,
// when the scenario has classes), and the source's upload bound across renditions.
void add_abr_metrics(nlohmann::json& result, const std::vector<ViewerWatch>& viewers, const Scenario& scenario);

}  // namespace swarmcast::sim
