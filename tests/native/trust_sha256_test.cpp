// SHA-256 against FIPS 180 vectors, and the hex form of digests.
#include <gtest/gtest.h>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

std::string sha256_hex(ByteView bytes) { return trust::to_hex(trust::sha256(bytes)); }

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(sha256_hex({}), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(text("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(text("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(ByteVector(1'000'000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Hex, RoundTripsLowercase) {
  EXPECT_EQ(trust::to_hex({}), "");
  EXPECT_TRUE(trust::from_hex("").value().empty());
  EXPECT_EQ(trust::to_hex(hex("00ff10")), "00ff10");
  EXPECT_EQ(trust::from_hex("00FF10").value(), hex("00ff10"));
  const ByteVector bytes = chunk_of(300);
  EXPECT_EQ(trust::from_hex(trust::to_hex(bytes)).value(), bytes);
}

TEST(Hex, RejectsOddLengthsAndNonHexCharacters) {
  for (std::string_view bad : {"abc", "zz", "0g", " 00", "00 ", "0x00"})
    EXPECT_EQ(trust::from_hex(bad).error(), trust::TrustError::kBadEncoding) << bad;
}

}  // namespace
}  // namespace swarmcast::test
