// SHA-256 (libsodium) and the hex text form of digests.
// trust/ deliberately never calls sodium_init(). In libsodium 1.0.18 it only selects
// CPU-specific versions of primitives trust/ does not use (SHA-256, SHA-512 and
// Ed25519 have no runtime dispatch) and seeds the random generator, which the core
// never uses (keys come from caller-supplied seeds). Worse, in the wasm build it probes
// for `window`/`self`/`require` and throws "No secure random number generator found"
// when our ES module runs under Node. The native tests never call it either, so they
// guard this choice.
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
