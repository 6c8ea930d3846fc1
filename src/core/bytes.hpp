// Byte buffers as the core passes them around: owned vectors in, read-only spans out.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace swarmcast {

using Byte = std::uint8_t;
using ByteView = std::span<const Byte>;
using ByteVector = std::vector<Byte>;

}  // namespace swarmcast
