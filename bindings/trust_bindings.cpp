// Embind wrappers of trust/: a signer for the broadcaster, a verifier for everyone
// else. The verifier checks a chunk's signed header once and then each piece alone
// against its Merkle root, so relays can forward verified pieces early.
#include <emscripten/bind.h>

#include <map>
#include <tuple>

#include "heap_bytes.hpp"
#include "ladder_js.hpp"
#include "swarm/chat.hpp"
#include "wire/codec.hpp"
#include "trust/challenge.hpp"
#include "trust/keys.hpp"
#include "trust/merkle.hpp"
#include "trust/rendition_ladder.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::bindings {
namespace {

using emscripten::val;

val failure(trust::TrustError error) {
  val out = val::object();
  out.set("ok", false);
  out.set("error", std::string(trust::to_string(error)));
  return out;
}

val success() {
  val out = val::object();
  out.set("ok", true);
  return out;
}

template <std::size_t N>
std::array<Byte, N> array_at(std::uintptr_t pointer) {
  std::array<Byte, N> out;
  const ByteView in = bytes_at(pointer, N);
  std::copy(in.begin(), in.end(), out.begin());
  return out;
}

val header_to_js(const trust::ChunkHeader& h) {
  val out = success();
  out.set("kind", h.kind == trust::HeaderKind::kInit ? "init" : "chunk");
  out.set("rendition", h.rendition.value);
  out.set("streamId", trust::stream_id_of(h.stream));
  out.set("epoch", h.epoch.value);
  out.set("seq", static_cast<double>(h.seq.value));
  out.set("captureMs", static_cast<double>(h.capture_time.value));
  out.set("durationMs", h.duration_ms);
  out.set("keyframe", h.keyframe);
  out.set("byteLength", h.byte_length);
  out.set("pieceCount", trust::piece_count(h.byte_length));
  out.set("merkleRoot", to_js(h.merkle_root));
  return out;
}

// web/core/trust.js checks every field's type and range before it gets here, so the
// conversions below see numbers and strings only; valid_ladder's rules are the core's.
trust::RenditionLadder ladder_from_js(const trust::PublicKey& stream, std::uint32_t revision, double first_seq,
                                      const val& renditions) {
  trust::RenditionLadder ladder{stream, revision, ChunkSeq{static_cast<std::uint64_t>(first_seq)}, {}};
  const auto count = renditions["length"].as<std::uint32_t>();
  for (std::uint32_t i = 0; i < count; ++i) {
    const val r = renditions[i];
    ladder.renditions.push_back(trust::Rendition{RenditionId{r["id"].as<std::uint8_t>()}, r["width"].as<std::uint16_t>(),
                                                 r["height"].as<std::uint16_t>(), r["bitrate"].as<std::uint32_t>(),
                                                 r["frameRateMilli"].as<std::uint32_t>(), r["codecs"].as<std::string>()});
  }
  return ladder;
}

class SignerBinding {
 public:
  // seed: 32 random bytes from the caller (the core draws no randomness itself).
  explicit SignerBinding(std::uintptr_t seed) : keys_(trust::keypair_from_seed(trust::Seed{array_at<32>(seed)})) {}

  std::string stream_id() const { return trust::stream_id_of(keys_.public_key); }
  val public_key() const { return to_js(keys_.public_key.bytes); }

  // A rendition id beyond a byte is refused as one beyond kMaxRenditions, not wrapped.
  val sign(int kind, std::uint32_t epoch, double seq, double capture_ms, std::uint32_t duration_ms, bool keyframe,
           std::uint32_t rendition, std::uintptr_t payload, std::size_t length) const {
    if (rendition >= trust::kMaxRenditions) return failure(trust::TrustError::kBadRendition);
    const auto header = trust::describe(kind == 1 ? trust::HeaderKind::kInit : trust::HeaderKind::kChunk,
                                        keys_.public_key, Epoch{epoch}, ChunkSeq{static_cast<std::uint64_t>(seq)},
                                        TimeMs{static_cast<std::int64_t>(capture_ms)}, duration_ms,
                                        bytes_at(payload, length), keyframe,
                                        RenditionId{static_cast<std::uint8_t>(rendition)});
    if (!header) return failure(header.error());
    val out = success();
    out.set("header", to_js(trust::encode(trust::sign_header(header.value(), keys_.secret_key))));
    return out;
  }

  // A chat line by this key for the stream `stream_id`, as the wire message a
  // SwarmEngine posts (hops 0); null when a field is out of the wire's limits (sizes,
  // UTF-8) or the stream id is malformed.
  val sign_chat(const std::string& stream_id, double number, double sent_at_ms, int kind, const std::string& name,
                const std::string& text) const {
    const auto stream = trust::parse_stream_id(stream_id);
    if (!stream || (kind != 0 && kind != 1)) return val::null();
    wire::Chat chat;
    chat.number = static_cast<std::uint32_t>(number);
    chat.sent_at_ms = static_cast<std::uint64_t>(sent_at_ms);
    chat.kind = static_cast<wire::ChatKind>(kind);
    chat.name = name;
    chat.text = text;
    swarm::sign_chat(keys_, stream.value(), chat);
    const ByteVector bytes = wire::encode(chat);
    return wire::decode(bytes).ok() ? to_js(bytes) : val::null();
  }

  // The stream's rendition list, signed: {ok, ladder} or the core's refusal.
  val sign_ladder(std::uint32_t revision, double first_seq, const val& renditions) const {
    const auto signed_ladder =
        trust::sign_ladder(ladder_from_js(keys_.public_key, revision, first_seq, renditions), keys_.secret_key);
    if (!signed_ladder) return failure(signed_ladder.error());
    val out = success();
    out.set("ladder", to_js(signed_ladder.value()));
    return out;
  }

  // Answers a signaling server's ownership challenge (domain-separated from headers).
  val sign_challenge(std::uintptr_t nonce, std::size_t length) const {
    return to_js(trust::sign_challenge(keys_.secret_key, bytes_at(nonce, length)));
  }

 private:
  trust::KeyPair keys_;
};

class VerifierBinding {
 public:
  explicit VerifierBinding(const std::string& stream_id) {
    auto parsed = trust::parse_stream_id(stream_id);
    if (parsed) stream_ = parsed.value();
  }

  bool valid() const { return stream_.has_value(); }

  // Verifies a signed header and remembers it (by kind, rendition and seq or epoch) for
  // piece checks.
  val verify_header(std::uintptr_t bytes, std::size_t length) {
    if (!stream_) return failure(trust::TrustError::kBadStreamId);
    auto header = trust::verify_signed_header(bytes_at(bytes, length), *stream_);
    if (!header) return failure(header.error());
    remember(header.value());
    return header_to_js(header.value());
  }

  // A signed rendition list's fields, or why it does not verify.
  val verify_ladder(std::uintptr_t bytes, std::size_t length) const {
    if (!stream_) return failure(trust::TrustError::kBadStreamId);
    const auto ladder = trust::verify_signed_ladder(bytes_at(bytes, length), *stream_);
    if (!ladder) return failure(ladder.error());
    val out = ladder_to_js(ladder.value());
    out.set("ok", true);
    return out;
  }

  val verify_piece(int kind, std::uint32_t rendition, double seq, std::uint32_t index, std::uintptr_t piece,
                   std::size_t piece_length, std::uintptr_t proof, std::size_t proof_length) const {
    const trust::ChunkHeader* header = find(kind, rendition, seq);
    if (!header) return failure(trust::TrustError::kMalformedHeader);
    if (proof_length % sizeof(trust::Digest) != 0) return failure(trust::TrustError::kBadProof);
    const auto* digests = reinterpret_cast<const trust::Digest*>(proof);
    auto checked = trust::verify_piece(*header, PieceIndex{index}, bytes_at(piece, piece_length),
                                       std::span(digests, proof_length / sizeof(trust::Digest)));
    return checked ? success() : failure(checked.error());
  }

  val verify_payload(int kind, std::uint32_t rendition, double seq, std::uintptr_t payload, std::size_t length) const {
    const trust::ChunkHeader* header = find(kind, rendition, seq);
    if (!header) return failure(trust::TrustError::kMalformedHeader);
    auto checked = trust::verify_payload(*header, bytes_at(payload, length));
    return checked ? success() : failure(checked.error());
  }

 private:
  // Init headers are keyed by epoch, chunk headers by sequence number; each rendition
  // has its own. Sorted by sequence number first, so the oldest chunk of any rendition
  // is found first.
  using Key = std::tuple<int, std::uint64_t, std::uint32_t>;

  void remember(const trust::ChunkHeader& h) {
    const int kind = static_cast<int>(h.kind);
    headers_[{kind, h.kind == trust::HeaderKind::kInit ? h.epoch.value : h.seq.value, h.rendition.value}] = h;
    // Bounded: a live window is seconds long. Past 1024 headers the oldest chunk
    // header goes (init headers sort first and are kept while chunks remain).
    while (headers_.size() > 1024) {
      auto oldest_chunk = headers_.lower_bound({static_cast<int>(trust::HeaderKind::kChunk), 0, 0});
      headers_.erase(oldest_chunk != headers_.end() ? oldest_chunk : headers_.begin());
    }
  }
  const trust::ChunkHeader* find(int kind, std::uint32_t rendition, double key) const {
    auto it = headers_.find({kind, static_cast<std::uint64_t>(key), rendition});
    return it == headers_.end() ? nullptr : &it->second;
  }

  std::optional<trust::PublicKey> stream_;
  std::map<Key, trust::ChunkHeader> headers_;
};

val proof_to_js(std::span<const trust::Digest> leaves, std::uint32_t index) {
  if (index >= leaves.size()) return val::null();
  const auto proof = trust::merkle_proof(leaves, PieceIndex{index});
  return to_js(ByteView(reinterpret_cast<const Byte*>(proof.data()), proof.size() * sizeof(trust::Digest)));
}

val piece_proof(std::uintptr_t payload, std::size_t length, std::uint32_t index) {
  return proof_to_js(trust::piece_hashes(bytes_at(payload, length)), index);
}

// The proof for piece `index` from the chunk's piece-hash list (what travels with a
// chunk), so a receiver can check pieces without having the others.
val proof_from_hashes(std::uintptr_t hashes, std::size_t length, std::uint32_t index) {
  if (length % sizeof(trust::Digest) != 0) return val::null();
  return proof_to_js(std::span(reinterpret_cast<const trust::Digest*>(hashes), length / sizeof(trust::Digest)), index);
}

val piece_hashes(std::uintptr_t payload, std::size_t length) {
  const auto leaves = trust::piece_hashes(bytes_at(payload, length));
  return to_js(ByteView(reinterpret_cast<const Byte*>(leaves.data()), leaves.size() * sizeof(trust::Digest)));
}

val sha256(std::uintptr_t bytes, std::size_t length) { return to_js(trust::sha256(bytes_at(bytes, length))); }

val merkle_root(std::uintptr_t payload, std::size_t length) {
  const auto leaves = trust::piece_hashes(bytes_at(payload, length));
  if (leaves.empty()) return val::null();
  return to_js(trust::merkle_root(leaves));
}

bool verify_challenge(const std::string& stream_id, std::uintptr_t nonce, std::size_t length,
                      std::uintptr_t signature) {
  auto key = trust::parse_stream_id(stream_id);
  return key && trust::verify_challenge(key.value(), bytes_at(nonce, length), array_at<64>(signature));
}

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_trust) {
  emscripten::constant("PIECE_SIZE", trust::kPieceSize);
  emscripten::constant("SIGNED_HEADER_SIZE", static_cast<std::uint32_t>(trust::kSignedHeaderSize));
  emscripten::class_<SignerBinding>("Signer")
      .constructor<std::uintptr_t>()
      .function("streamId", &SignerBinding::stream_id)
      .function("publicKey", &SignerBinding::public_key)
      .function("sign", &SignerBinding::sign)
      .function("signChallenge", &SignerBinding::sign_challenge)
      .function("signLadder", &SignerBinding::sign_ladder)
      .function("signChat", &SignerBinding::sign_chat);
  emscripten::class_<VerifierBinding>("Verifier")
      .constructor<std::string>()
      .function("valid", &VerifierBinding::valid)
      .function("verifyHeader", &VerifierBinding::verify_header)
      .function("verifyLadder", &VerifierBinding::verify_ladder)
      .function("verifyPiece", &VerifierBinding::verify_piece)
      .function("verifyPayload", &VerifierBinding::verify_payload);
  emscripten::function("pieceProof", &piece_proof);
  emscripten::function("proofFromHashes", &proof_from_hashes);
  emscripten::function("pieceHashes", &piece_hashes);
  emscripten::function("sha256", &sha256);
  emscripten::function("merkleRoot", &merkle_root);
  emscripten::function("verifyChallenge", &verify_challenge);
}

}  // namespace swarmcast::bindings
