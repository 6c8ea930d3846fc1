#include "trust/keys.hpp"

#include <sodium.h>

#include <algorithm>

#include "trust/sha256.hpp"

namespace swarmcast::trust {
namespace {
constexpr int kBase64Variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

KeyPair keypair_from_seed(const Seed& seed) {
  KeyPair keys;
  crypto_sign_ed25519_seed_keypair(keys.public_key.bytes.data(), keys.secret_key.bytes.data(), seed.bytes.data());
  return keys;
}

Signature sign_detached(const SecretKey& key, ByteView message) {
  Signature signature;
  crypto_sign_ed25519_detached(signature.data(), nullptr, message.data(), message.size(), key.bytes.data());
  return signature;
}

bool verify_detached(const PublicKey& key, ByteView message, const Signature& signature) {
  return crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(), key.bytes.data()) == 0;
}

std::string to_base64url(ByteView bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), kBase64Variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), kBase64Variant);
  out.pop_back();  // the terminating NUL
  return out;
}

Result<ByteVector, TrustError> from_base64url(std::string_view text) {
  ByteVector out(text.size() * 3 / 4 + 1);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end, kBase64Variant) != 0 ||
      end != text.data() + text.size())
    return Failure{TrustError::kBadEncoding};
  out.resize(length);
  // Canonical form only, so one key has exactly one stream id.
  if (to_base64url(out) != text) return Failure{TrustError::kBadEncoding};
  return out;
}

std::string stream_id_of(const PublicKey& key) { return to_base64url(key.bytes); }

Result<PublicKey, TrustError> parse_stream_id(std::string_view text) {
  auto bytes = from_base64url(text);
  if (!bytes || bytes.value().size() != 32) return Failure{TrustError::kBadStreamId};
  PublicKey key;
  std::copy(bytes.value().begin(), bytes.value().end(), key.bytes.begin());
  return key;
}

}  // namespace swarmcast::trust
