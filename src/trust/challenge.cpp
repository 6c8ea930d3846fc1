#include "trust/challenge.hpp"

#include <string_view>

namespace swarmcast::trust {
namespace {

constexpr std::string_view kDomain = "swarmcast/challenge/v1";

ByteVector challenge_input(ByteView nonce) {
  ByteVector out(kDomain.begin(), kDomain.end());
  out.insert(out.end(), nonce.begin(), nonce.end());
  return out;
}

}  // namespace

Signature sign_challenge(const SecretKey& key, ByteView nonce) { return sign_detached(key, challenge_input(nonce)); }

bool verify_challenge(const PublicKey& key, ByteView nonce, const Signature& signature) {
  return verify_detached(key, challenge_input(nonce), signature);
}

}  // namespace swarmcast::trust
