// SHA-256 vectors and the Merkle tree over pieces.
#include <gtest/gtest.h>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::Digest;

ByteVector bytes_of(const Digest& d) { return ByteVector(d.begin(), d.end()); }

TEST(Sha256, MatchesFips180Vectors) {
  EXPECT_EQ(bytes_of(trust::sha256({})), hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  const std::string abc = "abc";
  EXPECT_EQ(bytes_of(trust::sha256(ByteView(reinterpret_cast<const Byte*>(abc.data()), abc.size()))),
            hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  EXPECT_EQ(bytes_of(trust::sha256(ByteVector(1'000'000, 'a'))),
            hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
}

TEST(Hex, RoundTripsAndRejectsJunk) {
  EXPECT_EQ(trust::to_hex(hex("00ff10")), "00ff10");
  EXPECT_FALSE(trust::from_hex("abc").ok());
  EXPECT_FALSE(trust::from_hex("zz").ok());
}

TEST(Pieces, AreSixteenKibibytesWithAShortLastOne) {
  EXPECT_EQ(trust::piece_count(0), 0u);
  EXPECT_EQ(trust::piece_count(1), 1u);
  EXPECT_EQ(trust::piece_count(16384), 1u);
  EXPECT_EQ(trust::piece_count(16385), 2u);
  const ByteVector chunk = chunk_of(40000);
  EXPECT_EQ(trust::piece_of(chunk, PieceIndex{2}).size(), 40000u - 32768u);
  EXPECT_EQ(trust::piece_hashes(chunk).size(), 3u);
}

TEST(Merkle, RootsFollowRfc9162) {
  const auto l = leaves(3);
  EXPECT_EQ(trust::merkle_root(std::span(l).first(1)), l[0]);
  EXPECT_EQ(trust::merkle_root(std::span(l).first(2)), trust::node_hash(l[0], l[1]));
  // Three leaves split at 2: (l0 l1) l2.
  EXPECT_EQ(trust::merkle_root(l), trust::node_hash(trust::node_hash(l[0], l[1]), l[2]));
  // Leaves and nodes are domain-separated: a leaf is not the plain hash of its piece.
  const ByteVector piece = chunk_of(5);
  EXPECT_NE(trust::leaf_hash(piece), trust::sha256(piece));
}

TEST(Merkle, EveryProofOfEveryTreeUpTo40LeavesVerifies) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      ASSERT_TRUE(trust::verify_merkle_proof(l[i], PieceIndex{i}, n, proof, root)) << n << "/" << i;
    }
  }
}

TEST(Merkle, TamperedProofsAreRejected) {
  for (std::uint32_t n : {2u, 3u, 7u, 16u, 33u}) {
    const auto l = leaves(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      Digest leaf = l[i];
      leaf[0] ^= 1;
      EXPECT_FALSE(trust::verify_merkle_proof(leaf, PieceIndex{i}, n, proof, root));
      for (std::size_t k = 0; k < proof.size(); ++k) {
        auto bent = proof;
        bent[k][31] ^= 0x80;
        EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{i}, n, bent, root));
      }
      Digest other_root = root;
      other_root[5] ^= 4;
      EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{i}, n, proof, other_root));
      EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{(i + 1) % n}, n, proof, root));
      EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{n}, n, proof, root));
      // (A wrong leaf count is not always visible in a proof: an RFC 9162 root does not
      // commit to it. The count comes from the signed byte_length instead.)
      auto shorter = proof;
      shorter.pop_back();
      EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{i}, n, shorter, root));
      auto longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(trust::verify_merkle_proof(l[i], PieceIndex{i}, n, longer, root));
    }
  }
}

}  // namespace
}  // namespace swarmcast::test
