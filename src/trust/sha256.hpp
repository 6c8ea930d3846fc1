// SHA-256 (libsodium) and the hex text form of digests.
// trust/ never calls sodium_init(): it only picks faster implementations of primitives
// we do not use and seeds libsodium's random generator, and the core draws no
// randomness (keys come from caller-supplied seeds).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "trust/trust_error.hpp"

namespace swarmcast::trust {

using Digest = std::array<Byte, 32>;

Digest sha256(ByteView bytes);

std::string to_hex(ByteView bytes);
Result<ByteVector, TrustError> from_hex(std::string_view text);

}  // namespace swarmcast::trust
