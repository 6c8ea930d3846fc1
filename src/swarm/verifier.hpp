// The checks that make received data trustworthy, behind one seam. An engine verifies
// every piece against its signed hash list, every hash list against its signed Merkle
// root, and every header's signature. A host that runs many engines in one process
// (the simulator runs thousands) hands them one MemoizingVerifier, so that each
// distinct piece, hash list and header is hashed or signature-checked once rather
// than once per engine, and verified pieces are stored once however many engines hold
// them. Any Verifier must give exactly the answers of the direct checks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::swarm {

// A verified piece's bytes, immutable once stored, so that every holder can share them.
using PieceBytes = std::shared_ptr<const ByteVector>;

// The direct checks: SHA-256 and Ed25519 every time, a fresh copy of every piece.
class Verifier {
 public:
  virtual ~Verifier() = default;
  // The piece as it is to be kept when `piece` hashes (as a Merkle leaf) to
  // `expected`; null when it does not.
  virtual PieceBytes piece(const trust::Digest& expected, ByteView piece);
  // Whether `hashes` form a Merkle tree with this root.
  virtual bool hash_list(std::span<const trust::Digest> hashes, const trust::Digest& root);
  // trust::verify_signed_header.
  virtual Result<trust::ChunkHeader, trust::TrustError> signed_header(ByteView bytes, const trust::PublicKey& stream);
};

// Remembers what passed. Bytes equal to bytes that once hashed to D hash to D, and a
// signature over bytes equal to ones that once verified verifies: so comparing with
// what passed is exactly as strict as checking again, and anything that differs (a
// corrupt piece, a forged header) still gets the full check and fails it.
class MemoizingVerifier : public Verifier {
 public:
  PieceBytes piece(const trust::Digest& expected, ByteView piece) override;
  bool hash_list(std::span<const trust::Digest> hashes, const trust::Digest& root) override;
  Result<trust::ChunkHeader, trust::TrustError> signed_header(ByteView bytes, const trust::PublicKey& stream) override;

  // The two halves of piece(), for a host whose threads share one MemoizingVerifier:
  // it locks around these, and compares bytes and hashes between them, unlocked.
  // The piece stored under `expected`, if some holder keeps it.
  PieceBytes stored(const trust::Digest& expected) const;
  // Stores a piece that passed the direct check; returns the copy to keep (the one
  // already stored, when another caller stored it first).
  PieceBytes store(const trust::Digest& expected, PieceBytes verified);

  std::size_t pieces_remembered() const { return pieces_.size(); }

 private:
  struct DigestHash {
    std::size_t operator()(const trust::Digest& d) const;
  };
  // Hash lists and headers are remembered for the last kRecent chunks: the live
  // window. Older ones are only checked again, never trusted less.
  static constexpr std::size_t kRecent = 256;

  // Weak: a piece is kept while some engine holds it, not for the whole run.
  std::unordered_map<trust::Digest, std::weak_ptr<const ByteVector>, DigestHash> pieces_;
  std::size_t pieces_swept_at_ = 0;  // map size after the last sweep of dropped pieces
  std::map<trust::Digest, std::vector<trust::Digest>> hash_lists_;  // by root
  std::deque<trust::Digest> hash_list_order_;
  std::map<ByteVector, trust::ChunkHeader> headers_;  // by the signed bytes
  std::deque<ByteVector> header_order_;
};

}  // namespace swarmcast::swarm
