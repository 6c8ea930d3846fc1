// Ed25519 keys (libsodium). A stream's id is its broadcaster's public key in
// unpadded base64url (43 characters). Keys come from a caller-supplied 32-byte seed:
// the core draws no randomness of its own.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "trust/trust_error.hpp"

namespace swarmcast::trust {

struct Seed {
  std::array<Byte, 32> bytes{};
};
struct PublicKey {
  std::array<Byte, 32> bytes{};
  bool operator==(const PublicKey&) const = default;
};
struct SecretKey {
  std::array<Byte, 64> bytes{};  // libsodium's layout: seed followed by public key
};
struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
};
using Signature = std::array<Byte, 64>;

KeyPair keypair_from_seed(const Seed& seed);
Signature sign_detached(const SecretKey& key, ByteView message);
bool verify_detached(const PublicKey& key, ByteView message, const Signature& signature);

std::string to_base64url(ByteView bytes);
// Strict: no padding, no '+' or '/', nothing trailing.
Result<ByteVector, TrustError> from_base64url(std::string_view text);

std::string stream_id_of(const PublicKey& key);
Result<PublicKey, TrustError> parse_stream_id(std::string_view text);

}  // namespace swarmcast::trust
