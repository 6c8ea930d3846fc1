#include "swarm/verifier.hpp"

#include <algorithm>
#include <cstring>

namespace swarmcast::swarm {
namespace {

// Remembers `key` in a map capped at `cap` entries, forgetting the oldest first.
template <typename Key, typename Value>
void remember(std::map<Key, Value>& map, std::deque<Key>& order, std::size_t cap, const Key& key, Value value) {
  if (!map.emplace(key, std::move(value)).second) return;
  order.push_back(key);
  if (order.size() <= cap) return;
  map.erase(order.front());
  order.pop_front();
}

}  // namespace

PieceBytes Verifier::piece(const trust::Digest& expected, ByteView piece) {
  if (trust::leaf_hash(piece) != expected) return nullptr;
  return std::make_shared<const ByteVector>(piece.begin(), piece.end());
}

bool Verifier::hash_list(std::span<const trust::Digest> hashes, const trust::Digest& root) {
  return trust::merkle_root(hashes) == root;
}

Result<trust::ChunkHeader, trust::TrustError> Verifier::signed_header(ByteView bytes, const trust::PublicKey& stream) {
  return trust::verify_signed_header(bytes, stream);
}

std::size_t MemoizingVerifier::DigestHash::operator()(const trust::Digest& d) const {
  std::size_t h;
  std::memcpy(&h, d.data(), sizeof h);  // SHA-256 output: any 8 bytes are uniform
  return h;
}

PieceBytes MemoizingVerifier::piece(const trust::Digest& expected, ByteView piece) {
  if (PieceBytes kept = stored(expected); kept && std::equal(kept->begin(), kept->end(), piece.begin(), piece.end()))
    return kept;
  PieceBytes checked = Verifier::piece(expected, piece);
  return checked ? store(expected, std::move(checked)) : nullptr;
}

PieceBytes MemoizingVerifier::stored(const trust::Digest& expected) const {
  const auto known = pieces_.find(expected);
  return known != pieces_.end() ? known->second.lock() : nullptr;
}

PieceBytes MemoizingVerifier::store(const trust::Digest& expected, PieceBytes verified) {
  std::weak_ptr<const ByteVector>& entry = pieces_[expected];
  // Another caller may have stored the same piece since this one looked: hand out the
  // copy already shared, so a piece is stored once.
  if (PieceBytes kept = entry.lock()) return kept;
  entry = verified;
  // Pieces every engine has dropped leave empty entries; clear them out whenever the
  // map has doubled, which keeps it proportional to the pieces still held.
  if (pieces_.size() >= 2 * std::max<std::size_t>(pieces_swept_at_, 1024)) {
    std::erase_if(pieces_, [](const auto& e) { return e.second.expired(); });
    pieces_swept_at_ = pieces_.size();
  }
  return verified;
}

bool MemoizingVerifier::hash_list(std::span<const trust::Digest> hashes, const trust::Digest& root) {
  auto known = hash_lists_.find(root);
  if (known != hash_lists_.end() && std::equal(known->second.begin(), known->second.end(), hashes.begin(), hashes.end()))
    return true;
  if (!Verifier::hash_list(hashes, root)) return false;
  remember(hash_lists_, hash_list_order_, kRecent, root, std::vector<trust::Digest>(hashes.begin(), hashes.end()));
  return true;
}

Result<trust::ChunkHeader, trust::TrustError> MemoizingVerifier::signed_header(ByteView bytes,
                                                                              const trust::PublicKey& stream) {
  ByteVector key(bytes.begin(), bytes.end());
  auto known = headers_.find(key);
  if (known != headers_.end() && known->second.stream == stream) return known->second;
  auto header = Verifier::signed_header(bytes, stream);
  if (header) remember(headers_, header_order_, kRecent, key, header.value());
  return header;
}

}  // namespace swarmcast::swarm
