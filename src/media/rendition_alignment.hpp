// Whether the renditions of a stream cut their chunks at the same moments: chunk k of
// every rendition must start at the same capture time, within a tolerance (a frame),
// or a viewer switching renditions at chunk k would see time jump. The broadcaster
// checks its own muxers with it (and drops or restarts a rung that drifts); a viewer
// can check chunk headers with it too.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.hpp"
#include "core/strong_types.hpp"
#include "media/mux_types.hpp"

namespace swarmcast::media {

class RenditionAlignment {
 public:
  // `window`: how many of the newest chunk numbers are remembered; an older one cannot
  // be checked and passes.
  explicit RenditionAlignment(std::int64_t tolerance_ms, std::size_t window = 64)
      : tolerance_ms_(tolerance_ms), window_(window) {}

  // Rendition `rendition` produced chunk `seq` starting at `start`. The first rendition
  // to report a chunk number sets its start; kMisaligned (not fatal) for any later one
  // more than the tolerance away, naming both.
  Result<void, MuxError> check(std::uint32_t rendition, ChunkSeq seq, TimeMs start);

 private:
  struct FirstStart {
    std::uint64_t seq = 0;
    std::uint32_t rendition = 0;
    std::int64_t start_ms = 0;
  };

  std::int64_t tolerance_ms_;
  std::size_t window_;
  std::vector<FirstStart> starts_;  // by seq, ascending; a few dozen at most
};

}  // namespace swarmcast::media
