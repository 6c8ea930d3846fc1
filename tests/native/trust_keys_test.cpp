// Ed25519 keys from seeds, base64url, and stream ids.
#include <gtest/gtest.h>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::TrustError;

trust::KeyPair keys_from(std::string_view seed_hex) {
  trust::Seed seed;
  const ByteVector bytes = hex(seed_hex);
  std::copy(bytes.begin(), bytes.end(), seed.bytes.begin());
  return trust::keypair_from_seed(seed);
}

template <std::size_t N>
std::string hex_of(const std::array<Byte, N>& bytes) {
  return trust::to_hex(bytes);
}

TEST(Ed25519, MatchesRfc8032TestVector1) {
  const trust::KeyPair keys = keys_from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  EXPECT_EQ(hex_of(keys.public_key.bytes), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const trust::Signature signature = trust::sign_detached(keys.secret_key, {});
  EXPECT_EQ(hex_of(signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(trust::verify_detached(keys.public_key, {}, signature));
}

TEST(Ed25519, MatchesRfc8032TestVector2) {
  const trust::KeyPair keys = keys_from("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
  EXPECT_EQ(hex_of(keys.public_key.bytes), "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  const trust::Signature signature = trust::sign_detached(keys.secret_key, hex("72"));
  EXPECT_EQ(hex_of(signature),
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  EXPECT_TRUE(trust::verify_detached(keys.public_key, hex("72"), signature));
}

TEST(Ed25519, KeysAreAFunctionOfTheSeed) {
  EXPECT_EQ(stream_key(7).public_key, stream_key(7).public_key);
  EXPECT_EQ(stream_key(7).secret_key.bytes, stream_key(7).secret_key.bytes);
  EXPECT_FALSE(stream_key(7).public_key == stream_key(8).public_key);
}

TEST(Ed25519, AChangedMessageSignatureOrKeyFails) {
  const trust::KeyPair keys = stream_key();
  const ByteVector message = chunk_of(100);
  const trust::Signature signature = trust::sign_detached(keys.secret_key, message);
  ASSERT_TRUE(trust::verify_detached(keys.public_key, message, signature));
  ByteVector other = message;
  other[50] ^= 1;
  EXPECT_FALSE(trust::verify_detached(keys.public_key, other, signature));
  EXPECT_FALSE(trust::verify_detached(keys.public_key, ByteView(message).first(99), signature));
  for (std::size_t i = 0; i < signature.size(); ++i) {
    trust::Signature bent = signature;
    bent[i] ^= 0x04;
    EXPECT_FALSE(trust::verify_detached(keys.public_key, message, bent)) << "signature byte " << i;
  }
  EXPECT_FALSE(trust::verify_detached(stream_key(8).public_key, message, signature));
}

// RFC 4648 section 10, in the URL-safe alphabet without padding.
TEST(Base64url, MatchesRfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(trust::to_base64url(text(plain)), encoded);
    EXPECT_EQ(trust::from_base64url(encoded).value(), text(plain));
  }
  EXPECT_EQ(trust::to_base64url(hex("fbff")), "-_8");
}

TEST(Base64url, RoundTripsEveryLength) {
  for (std::size_t n = 0; n < 70; ++n) {
    const ByteVector bytes = chunk_of(n, static_cast<unsigned>(n));
    EXPECT_EQ(trust::from_base64url(trust::to_base64url(bytes)).value(), bytes) << n;
  }
}

TEST(Base64url, AcceptsOnlyTheCanonicalUnpaddedUrlSafeForm) {
  for (std::string_view bad : {
           "+_8", "-/8",           // the standard alphabet
           "-_8=", "Zg==", "Zg=",  // padding
           "Z", "Zm9vY",           // lengths no byte string has
           "Zh", "Zm9",            // nonzero trailing bits: not what to_base64url writes
           "Zm 9v", "Zm9v\n", " Zm9v", "Zm9v!", "Zm9v.",
       })
    EXPECT_EQ(trust::from_base64url(bad).error(), TrustError::kBadEncoding) << bad;
  EXPECT_EQ(trust::from_base64url(std::string_view("Zm\0v", 4)).error(), TrustError::kBadEncoding);
}

TEST(StreamId, IsTheUnpaddedBase64urlPublicKeyAndParsesBack) {
  const trust::KeyPair keys = stream_key();
  const std::string id = trust::stream_id_of(keys.public_key);
  EXPECT_EQ(id.size(), 43u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_EQ(id, trust::to_base64url(keys.public_key.bytes));
  EXPECT_EQ(trust::parse_stream_id(id).value(), keys.public_key);
  // The RFC 8032 vector 1 key, as an id anyone can recompute.
  EXPECT_EQ(trust::stream_id_of(keys_from("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60").public_key),
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
}

TEST(StreamId, RejectsAnythingButOneCanonical32ByteKey) {
  const std::string id = trust::stream_id_of(stream_key().public_key);
  const std::string last_bits_set = id.substr(0, 42) + (id[42] == 'A' ? "B" : "z");
  for (const std::string& bad : {
           std::string{}, std::string("AAAA"),
           id.substr(1), id.substr(0, 42), id + "A", id + "AA",  // 31, 33 bytes or no length at all
           trust::to_base64url(chunk_of(31)), trust::to_base64url(chunk_of(33)),
           id + "=", std::string(43, '+'), std::string(43, '/'), id.substr(0, 42) + "!", " " + id,
           last_bits_set,
       })
    EXPECT_EQ(trust::parse_stream_id(bad).error(), TrustError::kBadStreamId) << bad;
}

}  // namespace
}  // namespace swarmcast::test
