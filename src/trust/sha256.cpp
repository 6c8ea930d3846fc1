#include "trust/sha256.hpp"

#include <sodium.h>

namespace swarmcast::trust {

Digest sha256(ByteView bytes) {
  Digest out;
  crypto_hash_sha256(out.data(), bytes.data(), bytes.size());
  return out;
}

std::string to_hex(ByteView bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
  out.pop_back();
  return out;
}

Result<ByteVector, TrustError> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return Failure{TrustError::kBadEncoding};
  if (text.empty()) return ByteVector{};  // sodium_hex2bin wants a non-null output
  ByteVector out(text.size() / 2);
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end) != 0 ||
      end != text.data() + text.size())
    return Failure{TrustError::kBadEncoding};
  out.resize(length);
  return out;
}

}  // namespace swarmcast::trust
