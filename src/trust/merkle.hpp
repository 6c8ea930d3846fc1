// A chunk is cut into 16 KiB pieces; the piece hashes form a Merkle tree (the RFC 9162
// construction: leaf = SHA-256(0x00 || piece), node = SHA-256(0x01 || left || right),
// split at the largest power of two below n, so no padding). A piece and its proof
// (the sibling hashes on its path, leaf to root) verify alone against the root.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/strong_types.hpp"
#include "trust/sha256.hpp"

namespace swarmcast::trust {

inline constexpr std::uint32_t kPieceSize = 16 * 1024;
// ceil(log2(2^32)): no proof in a tree of 32-bit piece indices is longer.
inline constexpr std::size_t kMaxProofLength = 32;

std::uint32_t piece_count(std::uint64_t byte_length);
// The length of piece `index` of a chunk of byte_length bytes: 16 KiB, the last one
// the remainder. Precondition: index < piece_count(byte_length).
std::uint32_t piece_length(std::uint64_t byte_length, PieceIndex index);
// The index-th 16 KiB slice (the last one shorter); empty when index is past the end.
ByteView piece_of(ByteView chunk, PieceIndex index);

Digest leaf_hash(ByteView piece);
Digest node_hash(const Digest& left, const Digest& right);
std::vector<Digest> piece_hashes(ByteView chunk);

// Signed roots always cover at least one leaf (byte_length > 0); the empty list gets
// RFC 9162's SHA-256("") only so that no input is undefined.
Digest merkle_root(std::span<const Digest> leaves);
// The sibling subtree roots from the leaf up (RFC 9162 audit path); empty when index
// is out of range.
std::vector<Digest> merkle_proof(std::span<const Digest> leaves, PieceIndex index);
// RFC 9162 section 2.1.3.2: false for index >= leaf_count, a proof of the wrong
// length, or any hash that does not chain up to root. The root does not commit to
// leaf_count, so callers take it from the signed byte_length, never from a peer.
bool verify_merkle_proof(const Digest& leaf, PieceIndex index, std::uint32_t leaf_count,
                         std::span<const Digest> proof, const Digest& root);

}  // namespace swarmcast::trust
