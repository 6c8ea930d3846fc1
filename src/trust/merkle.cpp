#include "trust/merkle.hpp"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <initializer_list>

namespace swarmcast::trust {
namespace {

// The largest power of two strictly below n (n >= 2).
std::size_t split_point(std::size_t n) { return std::bit_floor(n - 1); }

Digest prefixed_hash(Byte prefix, std::initializer_list<ByteView> parts) {
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &prefix, 1);
  for (ByteView part : parts) crypto_hash_sha256_update(&state, part.data(), part.size());
  Digest out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

void collect_proof(std::span<const Digest> leaves, std::size_t index, std::vector<Digest>& path) {
  if (leaves.size() <= 1) return;
  const std::size_t k = split_point(leaves.size());
  if (index < k) {
    collect_proof(leaves.first(k), index, path);
    path.push_back(merkle_root(leaves.subspan(k)));
  } else {
    collect_proof(leaves.subspan(k), index - k, path);
    path.push_back(merkle_root(leaves.first(k)));
  }
}

}  // namespace

std::uint32_t piece_count(std::uint64_t byte_length) {
  return static_cast<std::uint32_t>((byte_length + kPieceSize - 1) / kPieceSize);
}

std::uint32_t piece_length(std::uint64_t byte_length, PieceIndex index) {
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(kPieceSize, byte_length - std::uint64_t{index.value} * kPieceSize));
}

ByteView piece_of(ByteView chunk, PieceIndex index) {
  // 64-bit so that a large index cannot wrap around a 32-bit size_t (wasm32).
  if (std::uint64_t{index.value} * kPieceSize >= chunk.size()) return {};
  const std::size_t begin = std::size_t{index.value} * kPieceSize;
  return chunk.subspan(begin, std::min<std::size_t>(kPieceSize, chunk.size() - begin));
}

Digest leaf_hash(ByteView piece) { return prefixed_hash(0x00, {piece}); }

Digest node_hash(const Digest& left, const Digest& right) { return prefixed_hash(0x01, {left, right}); }

std::vector<Digest> piece_hashes(ByteView chunk) {
  std::vector<Digest> out;
  out.reserve(piece_count(chunk.size()));
  for (std::uint32_t i = 0; i < piece_count(chunk.size()); ++i) out.push_back(leaf_hash(piece_of(chunk, PieceIndex{i})));
  return out;
}

Digest merkle_root(std::span<const Digest> leaves) {
  if (leaves.empty()) return sha256({});  // RFC 9162's hash of the empty list, never signed
  if (leaves.size() == 1) return leaves.front();
  const std::size_t k = split_point(leaves.size());
  return node_hash(merkle_root(leaves.first(k)), merkle_root(leaves.subspan(k)));
}

std::vector<Digest> merkle_proof(std::span<const Digest> leaves, PieceIndex index) {
  std::vector<Digest> path;
  if (index.value < leaves.size()) collect_proof(leaves, index.value, path);
  return path;
}

// RFC 9162, section 2.1.3.2.
bool verify_merkle_proof(const Digest& leaf, PieceIndex index, std::uint32_t leaf_count,
                         std::span<const Digest> proof, const Digest& root) {
  if (index.value >= leaf_count || proof.size() > kMaxProofLength) return false;
  std::uint64_t fn = index.value;
  std::uint64_t sn = leaf_count - 1;
  Digest r = leaf;
  for (const Digest& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && sodium_memcmp(r.data(), root.data(), r.size()) == 0;
}

}  // namespace swarmcast::trust
