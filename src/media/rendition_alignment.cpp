#include "media/rendition_alignment.hpp"

#include <algorithm>
#include <string>

namespace swarmcast::media {

Result<void, MuxError> RenditionAlignment::check(std::uint32_t rendition, ChunkSeq seq, TimeMs start) {
  const auto at = std::lower_bound(starts_.begin(), starts_.end(), seq.value,
                                   [](const FirstStart& first, std::uint64_t value) { return first.seq < value; });
  if (at != starts_.end() && at->seq == seq.value) {
    const std::int64_t apart = start.value - at->start_ms;
    if (apart > tolerance_ms_ || -apart > tolerance_ms_)
      return Failure{MuxError{MuxErrorCode::kMisaligned,
                              "chunk " + std::to_string(seq.value) + " starts at " + std::to_string(start.value) +
                                  " ms in rendition " + std::to_string(rendition) + ", at " +
                                  std::to_string(at->start_ms) + " ms in rendition " + std::to_string(at->rendition),
                              false}};
    return {};
  }
  if (starts_.size() >= window_ && at == starts_.begin()) return {};  // older than anything remembered
  starts_.insert(at, FirstStart{seq.value, rendition, start.value});
  if (starts_.size() > window_) starts_.erase(starts_.begin());
  return {};
}

}  // namespace swarmcast::media
