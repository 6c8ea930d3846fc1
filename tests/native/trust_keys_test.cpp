// Ed25519 keys from seeds, and stream ids.
#include <gtest/gtest.h>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

TEST(Ed25519, MatchesRfc8032TestVector1) {
  trust::Seed seed;
  const ByteVector s = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  std::copy(s.begin(), s.end(), seed.bytes.begin());
  const trust::KeyPair keys = trust::keypair_from_seed(seed);
  EXPECT_EQ(ByteVector(keys.public_key.bytes.begin(), keys.public_key.bytes.end()),
            hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
  const trust::Signature signature = trust::sign_detached(keys.secret_key, {});
  EXPECT_EQ(ByteVector(signature.begin(), signature.end()),
            hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
  EXPECT_TRUE(trust::verify_detached(keys.public_key, {}, signature));
}

TEST(Ed25519, AChangedMessageSignatureOrKeyFails) {
  const trust::KeyPair keys = stream_key();
  const ByteVector message = chunk_of(100);
  const trust::Signature signature = trust::sign_detached(keys.secret_key, message);
  ByteVector other = message;
  other[50] ^= 1;
  EXPECT_FALSE(trust::verify_detached(keys.public_key, other, signature));
  trust::Signature bent = signature;
  bent[10] ^= 1;
  EXPECT_FALSE(trust::verify_detached(keys.public_key, message, bent));
  EXPECT_FALSE(trust::verify_detached(stream_key(8).public_key, message, signature));
}

TEST(StreamId, IsTheUnpaddedBase64urlPublicKeyAndParsesBack) {
  const trust::KeyPair keys = stream_key();
  const std::string id = trust::stream_id_of(keys.public_key);
  EXPECT_EQ(id.size(), 43u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_EQ(trust::parse_stream_id(id).value(), keys.public_key);
}

TEST(StreamId, RejectsAnythingElse) {
  const std::string id = trust::stream_id_of(stream_key().public_key);
  for (const std::string& bad : {std::string{}, id.substr(1), id + "A", id + "=", std::string(43, '+'),
                                 std::string(43, '/'), id.substr(0, 42) + "!", std::string("AAAA")})
    EXPECT_EQ(trust::parse_stream_id(bad).error(), trust::TrustError::kBadStreamId) << bad;
}

TEST(Base64url, RoundTripsAndIsStrict) {
  for (std::size_t n = 0; n < 40; ++n) {
    const ByteVector bytes = chunk_of(n);
    EXPECT_EQ(trust::from_base64url(trust::to_base64url(bytes)).value(), bytes);
  }
  EXPECT_EQ(trust::to_base64url(hex("fbff")), "-_8");
  for (const char* bad : {"-_8=", "+/8", "-_9", "a", "ab cd"})
    EXPECT_EQ(trust::from_base64url(bad).error(), trust::TrustError::kBadEncoding) << bad;
}

}  // namespace
}  // namespace swarmcast::test
