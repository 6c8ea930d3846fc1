// libFuzzer target for make_clip: any bytes, split anywhere into an "init segment" and
// "clusters" (the first 2 bytes say where). Never a crash; a clip it makes is no longer
// than its input (clusters before the first video keyframe are left out) and starts
// with the init segment unchanged.
// tools/fuzz.sh builds and runs it.
#include <cstddef>
#include <cstdint>

#include "media/clip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const swarmcast::ByteView input = swarmcast::ByteView(data, size).subspan(2);
  const std::size_t split = ((std::size_t{data[0]} << 8) | data[1]) % (input.size() + 1);
  const auto clip = swarmcast::media::make_clip(input.first(split), input.subspan(split));
  if (!clip.ok()) return 0;
  if (clip.value().size() > input.size() || clip.value().size() <= split) __builtin_trap();
  for (std::size_t i = 0; i < split; ++i)
    if (clip.value()[i] != input[i]) __builtin_trap();
  return 0;
}
