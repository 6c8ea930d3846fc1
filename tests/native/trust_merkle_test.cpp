// Pieces and the RFC 9162 Merkle tree over them: roots, audit paths, and what a
// verifier refuses.
#include <gtest/gtest.h>

#include <bit>

#include "trust_fixtures.hpp"

namespace swarmcast::test {
namespace {

using trust::Digest;

// The hashes written out from the definitions, independently of merkle.cpp.
Digest leaf_by_hand(ByteView piece) { return trust::sha256(concat({hex("00"), piece})); }
Digest node_by_hand(const Digest& l, const Digest& r) { return trust::sha256(concat({hex("01"), l, r})); }

// An audit path's shape, by RFC 9162's recursive definition: for each sibling from
// the leaf up, whether it sits on the right.
std::vector<bool> path_shape(std::uint32_t index, std::uint32_t count) {
  if (count <= 1) return {};
  const std::uint32_t k = std::bit_floor(count - 1);
  std::vector<bool> shape = index < k ? path_shape(index, k) : path_shape(index - k, count - k);
  shape.push_back(index < k);
  return shape;
}

bool verifies(const Digest& leaf, std::uint32_t index, std::uint32_t count, const std::vector<Digest>& proof,
              const Digest& root) {
  return trust::verify_merkle_proof(leaf, PieceIndex{index}, count, proof, root);
}

TEST(Pieces, AreSixteenKibibytesWithAShortLastOne) {
  EXPECT_EQ(trust::kPieceSize, 16384u);
  EXPECT_EQ(trust::piece_count(0), 0u);
  EXPECT_EQ(trust::piece_count(1), 1u);
  EXPECT_EQ(trust::piece_count(16384), 1u);
  EXPECT_EQ(trust::piece_count(16385), 2u);
  EXPECT_EQ(trust::piece_count(64u << 20), 4096u);
  const ByteVector chunk = chunk_of(40000);
  EXPECT_EQ(trust::piece_of(chunk, PieceIndex{0}).size(), 16384u);
  EXPECT_EQ(trust::piece_of(chunk, PieceIndex{1}).data(), chunk.data() + 16384);
  EXPECT_EQ(trust::piece_of(chunk, PieceIndex{2}).size(), 40000u - 32768u);
  EXPECT_TRUE(trust::piece_of(chunk, PieceIndex{3}).empty());
  EXPECT_TRUE(trust::piece_of(chunk, PieceIndex{0xFFFFFFFF}).empty());
  EXPECT_EQ(trust::piece_hashes(chunk).size(), 3u);
}

TEST(Merkle, LeavesAndNodesAreDomainSeparatedHashes) {
  const ByteVector piece = chunk_of(5);
  EXPECT_EQ(trust::leaf_hash(piece), leaf_by_hand(piece));
  EXPECT_NE(trust::leaf_hash(piece), trust::sha256(piece));
  const auto l = leaves_of(2);
  EXPECT_EQ(trust::node_hash(l[0], l[1]), node_by_hand(l[0], l[1]));
}

TEST(Merkle, RootsOfOneTwoAndThreeLeavesByHand) {
  const auto l = leaves_of(3);
  EXPECT_EQ(trust::merkle_root(std::span(l).first(1)), l[0]);
  EXPECT_EQ(trust::merkle_root(std::span(l).first(2)), node_by_hand(l[0], l[1]));
  // Three leaves split at the largest power of two below 3: (l0 l1) l2, no padding.
  EXPECT_EQ(trust::merkle_root(l), node_by_hand(node_by_hand(l[0], l[1]), l[2]));
  EXPECT_EQ(trust::merkle_root({}), trust::sha256({}));
}

// Certificate Transparency's reference tree (RFC 6962 test data): interoperable roots
// and audit paths, not just self-consistent ones.
TEST(Merkle, MatchesTheCertificateTransparencyReferenceTree) {
  std::vector<Digest> ct;
  for (std::string_view entry : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                 "606162636465666768696a6b6c6d6e6f"})
    ct.push_back(trust::leaf_hash(hex(entry)));
  const std::string_view roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (std::size_t n = 1; n <= 8; ++n) EXPECT_EQ(trust::merkle_root(std::span(ct).first(n)), digest(roots[n - 1])) << n;

  const std::vector<Digest> path0 = {digest("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
                                     digest("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
                                     digest("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")};
  const std::vector<Digest> path5 = {digest("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
                                     digest("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
                                     digest("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")};
  EXPECT_EQ(trust::merkle_proof(ct, PieceIndex{0}), path0);
  EXPECT_EQ(trust::merkle_proof(ct, PieceIndex{5}), path5);
  EXPECT_TRUE(verifies(ct[0], 0, 8, path0, digest(roots[7])));
  EXPECT_TRUE(verifies(ct[5], 5, 8, path5, digest(roots[7])));
}

TEST(Merkle, EveryProofOfEveryTreeUpTo40LeavesVerifies) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves_of(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      EXPECT_EQ(proof.size(), path_shape(i, n).size()) << n << "/" << i;
      EXPECT_TRUE(verifies(l[i], i, n, proof, root)) << n << "/" << i;
    }
    EXPECT_TRUE(trust::merkle_proof(l, PieceIndex{n}).empty());
  }
}

TEST(Merkle, AnyFlippedByteInLeafProofOrRootIsRejected) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves_of(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      for (std::size_t b : {std::size_t{0}, std::size_t{17}, std::size_t{31}}) {
        Digest leaf = l[i];
        leaf[b] ^= 0x01;
        EXPECT_FALSE(verifies(leaf, i, n, proof, root));
        Digest other_root = root;
        other_root[b] ^= 0x80;
        EXPECT_FALSE(verifies(l[i], i, n, proof, other_root));
        for (std::size_t k = 0; k < proof.size(); ++k) {
          auto bent = proof;
          bent[k][b] ^= 0x10;
          EXPECT_FALSE(verifies(l[i], i, n, bent, root)) << n << "/" << i << " sibling " << k;
        }
      }
    }
  }
}

TEST(Merkle, AProofHoldsOnlyAtItsOwnIndex) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves_of(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      for (std::uint32_t j = 0; j <= n; ++j) {
        if (j == i) continue;
        EXPECT_FALSE(verifies(l[i], j, n, proof, root)) << n << ": " << i << " as " << j;
      }
      EXPECT_FALSE(verifies(l[i], 0xFFFFFFFF, n, proof, root));
    }
  }
}

// An RFC 9162 root does not commit to the leaf count: a different count is caught
// exactly when it changes the path's length or a sibling's side. That is why the count
// always comes from the signed byte_length.
TEST(Merkle, AWrongLeafCountIsCaughtWheneverItChangesThePath) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves_of(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      EXPECT_FALSE(verifies(l[i], i, 0, proof, root));
      for (std::uint32_t other = 1; other <= 41; ++other) {
        if (other == n) continue;
        const bool same_path = i < other && path_shape(i, other) == path_shape(i, n);
        EXPECT_EQ(verifies(l[i], i, other, proof, root), same_path) << n << "/" << i << " claimed as " << other;
      }
    }
  }
}

TEST(Merkle, TruncatedOrExtendedProofsAreRejected) {
  for (std::uint32_t n = 1; n <= 40; ++n) {
    const auto l = leaves_of(n);
    const Digest root = trust::merkle_root(l);
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto proof = trust::merkle_proof(l, PieceIndex{i});
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(verifies(l[i], i, n, shorter, root));
        EXPECT_FALSE(verifies(l[i], i, n, {}, root));
      }
      auto longer = proof;
      longer.push_back(root);
      EXPECT_FALSE(verifies(l[i], i, n, longer, root));
      auto padded = proof;
      padded.insert(padded.begin(), l[i]);
      EXPECT_FALSE(verifies(l[i], i, n, padded, root));
    }
  }
}

TEST(Merkle, ProofsLongerThanAny32BitTreeAllowsAreRefused) {
  const auto l = leaves_of(1);
  EXPECT_FALSE(verifies(l[0], 0, 0xFFFFFFFF, std::vector<Digest>(trust::kMaxProofLength + 1), l[0]));
}

}  // namespace
}  // namespace swarmcast::test
