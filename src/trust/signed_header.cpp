#include "trust/signed_header.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace swarmcast::trust {
namespace {

constexpr std::string_view kDomain = "swarmcast/header/v2";

template <typename T>
void put(ByteVector& out, T value) {
  for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<Byte>(value >> shift));
}

template <typename T>
T get(ByteView bytes, std::size_t offset) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) value = static_cast<T>((value << 8) | bytes[offset + i]);
  return value;
}

template <std::size_t N>
void get_array(ByteView bytes, std::size_t offset, std::array<Byte, N>& out) {
  std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(offset), N, out.begin());
}

Byte flags_byte(const ChunkHeader& h) {
  return h.kind == HeaderKind::kChunk && !h.keyframe ? kDeltaStartFlag : Byte{0};
}

ByteVector signed_part(const ChunkHeader& h) {
  ByteVector out;
  out.reserve(kSignedHeaderSize);
  out.push_back(kHeaderVersion);
  out.push_back(static_cast<Byte>(h.kind));
  out.push_back(flags_byte(h));
  out.push_back(h.rendition.value);
  out.insert(out.end(), h.stream.bytes.begin(), h.stream.bytes.end());
  put<std::uint32_t>(out, h.epoch.value);
  put<std::uint64_t>(out, h.seq.value);
  put<std::uint64_t>(out, static_cast<std::uint64_t>(h.capture_time.value));
  put<std::uint32_t>(out, h.duration_ms);
  put<std::uint32_t>(out, h.byte_length);
  put<std::uint32_t>(out, kPieceSize);
  out.insert(out.end(), h.merkle_root.begin(), h.merkle_root.end());
  return out;
}

// The domain prefix separates header signatures from anything else the stream key
// signs, as long as every other use signs under a prefix of its own.
using SigningInput = std::array<Byte, kDomain.size() + kSignedPartSize>;

SigningInput signing_input(ByteView signed_bytes) {
  SigningInput out{};
  std::copy(kDomain.begin(), kDomain.end(), out.begin());
  std::copy_n(signed_bytes.begin(), kSignedPartSize, out.begin() + kDomain.size());
  return out;
}

}  // namespace

Result<ChunkHeader, TrustError> describe(HeaderKind kind, const PublicKey& stream, Epoch epoch, ChunkSeq seq,
                                         TimeMs capture_time, std::uint32_t duration_ms, ByteView payload,
                                         bool keyframe, RenditionId rendition) {
  if (payload.empty()) return Failure{TrustError::kEmptyChunk};
  if (payload.size() > kMaxChunkBytes) return Failure{TrustError::kChunkTooLarge};
  if (rendition.value >= kMaxRenditions) return Failure{TrustError::kBadRendition};
  return ChunkHeader{kind, rendition, stream, epoch, seq, capture_time, duration_ms,
                     static_cast<std::uint32_t>(payload.size()), merkle_root(piece_hashes(payload)),
                     kind == HeaderKind::kInit || keyframe};
}

SignedHeader sign_header(const ChunkHeader& header, const SecretKey& key) {
  return SignedHeader{header, sign_detached(key, signing_input(signed_part(header)))};
}

ByteVector encode(const SignedHeader& signed_header) {
  ByteVector out = signed_part(signed_header.header);
  out.insert(out.end(), signed_header.signature.begin(), signed_header.signature.end());
  return out;
}

Result<SignedHeader, TrustError> decode_signed_header(ByteView bytes) {
  if (bytes.size() != kSignedHeaderSize) return Failure{TrustError::kMalformedHeader};
  if (bytes[0] != kHeaderVersion) return Failure{TrustError::kUnsupportedVersion};
  const Byte kind = bytes[1];
  if (kind != static_cast<Byte>(HeaderKind::kInit) && kind != static_cast<Byte>(HeaderKind::kChunk))
    return Failure{TrustError::kUnknownKind};
  const Byte flags = bytes[2];
  const Byte allowed_flags = kind == static_cast<Byte>(HeaderKind::kChunk) ? kDeltaStartFlag : Byte{0};
  if ((flags & ~allowed_flags) != 0) return Failure{TrustError::kUnknownFlags};
  if (bytes[3] >= kMaxRenditions) return Failure{TrustError::kBadRendition};
  SignedHeader out;
  ChunkHeader& h = out.header;
  h.kind = static_cast<HeaderKind>(kind);
  h.keyframe = (flags & kDeltaStartFlag) == 0;
  h.rendition = RenditionId{bytes[3]};
  get_array(bytes, 4, h.stream.bytes);
  h.epoch = Epoch{get<std::uint32_t>(bytes, 36)};
  h.seq = ChunkSeq{get<std::uint64_t>(bytes, 40)};
  h.capture_time = TimeMs{static_cast<std::int64_t>(get<std::uint64_t>(bytes, 48))};
  h.duration_ms = get<std::uint32_t>(bytes, 56);
  h.byte_length = get<std::uint32_t>(bytes, 60);
  if (get<std::uint32_t>(bytes, 64) != kPieceSize || h.byte_length == 0 || h.byte_length > kMaxChunkBytes)
    return Failure{TrustError::kMalformedHeader};
  get_array(bytes, 68, h.merkle_root);
  get_array(bytes, kSignedPartSize, out.signature);
  return out;
}

Result<ChunkHeader, TrustError> verify_signed_header(ByteView bytes, const PublicKey& expected_stream) {
  auto decoded = decode_signed_header(bytes);
  if (!decoded) return Failure{decoded.error()};
  const SignedHeader& s = decoded.value();
  if (!(s.header.stream == expected_stream)) return Failure{TrustError::kWrongStream};
  if (!verify_detached(expected_stream, signing_input(bytes.first(kSignedPartSize)), s.signature))
    return Failure{TrustError::kBadSignature};
  return s.header;
}

Result<void, TrustError> verify_piece(const ChunkHeader& header, PieceIndex index, ByteView piece,
                                      std::span<const Digest> proof) {
  const std::uint32_t count = piece_count(header.byte_length);
  if (index.value >= count) return Failure{TrustError::kPieceOutOfRange};
  if (piece.size() != piece_length(header.byte_length, index)) return Failure{TrustError::kBadPieceLength};
  if (!verify_merkle_proof(leaf_hash(piece), index, count, proof, header.merkle_root)) return Failure{TrustError::kBadProof};
  return {};
}

Result<void, TrustError> verify_payload(const ChunkHeader& header, ByteView payload) {
  if (payload.size() != header.byte_length) return Failure{TrustError::kBadPieceLength};
  const Digest root = merkle_root(piece_hashes(payload));
  if (sodium_memcmp(root.data(), header.merkle_root.data(), root.size()) != 0) return Failure{TrustError::kBadProof};
  return {};
}

}  // namespace swarmcast::trust
