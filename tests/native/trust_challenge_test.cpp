// Stream ownership challenges cannot be turned into header signatures.
#include <gtest/gtest.h>

#include <string_view>

#include "trust/challenge.hpp"
#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

TEST(Challenge, ASignedNonceVerifiesOnlyForItsKeyAndNonce) {
  const trust::KeyPair keys = stream_key();
  const ByteVector nonce = chunk_of(32);
  const trust::Signature signature = trust::sign_challenge(keys.secret_key, nonce);
  EXPECT_TRUE(trust::verify_challenge(keys.public_key, nonce, signature));
  ByteVector other = nonce;
  other[0] ^= 1;
  EXPECT_FALSE(trust::verify_challenge(keys.public_key, other, signature));
  EXPECT_FALSE(trust::verify_challenge(stream_key(8).public_key, nonce, signature));
}

TEST(Challenge, AServerChosenNonceNeverYieldsAHeaderSignature) {
  // A hostile server sends the header's own signing input as its "nonce".
  const trust::KeyPair keys = stream_key();
  const ByteVector payload = chunk_of(1000);
  const trust::ChunkHeader header = header_for(keys, payload);
  ByteVector wire = trust::encode(trust::sign_header(header, keys.secret_key));
  constexpr std::string_view kHeaderDomain = "swarmcast/header/v2";
  ByteVector nonce(kHeaderDomain.begin(), kHeaderDomain.end());
  nonce.insert(nonce.end(), wire.begin(), wire.begin() + trust::kSignedPartSize);
  const trust::Signature stolen = trust::sign_challenge(keys.secret_key, nonce);
  std::copy(stolen.begin(), stolen.end(), wire.begin() + trust::kSignedPartSize);
  EXPECT_EQ(trust::verify_signed_header(wire, keys.public_key).error(), trust::TrustError::kBadSignature);
}

}  // namespace
}  // namespace swarmcast::test
