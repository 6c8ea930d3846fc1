// The signed header that travels with every chunk and init segment. Layout (version
// 1, 162 bytes, integers big-endian; docs/PROTOCOL.md has the table):
//   0 version | 1 kind | 2 stream public key[32] | 34 epoch u32 | 38 seq u64 |
//   46 capture_time_ms i64 | 54 duration_ms u32 | 58 byte_length u32 |
//   62 piece_size u32 | 66 merkle_root[32] | 98 signature[64]
// The signature covers "swarmcast/header/v1" followed by bytes 0..97. The kind byte
// also carries whether a chunk starts at a keyframe (kind 2) or within a group of
// pictures (kind 3), so that flag is signed and no relay can forge a start point.
#pragma once

#include <cstdint>
#include <span>

#include "core/strong_types.hpp"
#include "trust/keys.hpp"
#include "trust/merkle.hpp"

namespace swarmcast::trust {

enum class HeaderKind : std::uint8_t { kInit = 1, kChunk = 2 };
// The kind byte of a chunk whose first video frame is not a keyframe. Headers from
// before the flag existed carry 2 and read as keyframe chunks, as they were; a decoder
// that predates it refuses 3 (kUnknownKind) rather than start a player on it.
inline constexpr std::uint8_t kDeltaChunkKindByte = 3;

inline constexpr std::uint8_t kHeaderVersion = 1;
inline constexpr std::size_t kSignedPartSize = 98;
inline constexpr std::size_t kSignedHeaderSize = kSignedPartSize + 64;
// 1024 pieces: the most one ChunkHeader wire message can carry hashes for.
inline constexpr std::uint32_t kMaxChunkBytes = 16u << 20;

struct ChunkHeader {
  HeaderKind kind = HeaderKind::kChunk;
  PublicKey stream;
  Epoch epoch;
  ChunkSeq seq;          // 0 in init headers: an init segment is named by its epoch
  TimeMs capture_time;   // broadcaster's wall clock (unix ms) when the media was captured
  std::uint32_t duration_ms = 0;
  std::uint32_t byte_length = 0;
  Digest merkle_root{};
  // Chunks only: its first video frame is a keyframe (audio-only chunks always are),
  // so a player can start with it. Always true in init headers.
  bool keyframe = true;
};

struct SignedHeader {
  ChunkHeader header;
  Signature signature{};
};

// Describes `payload` (its length and Merkle root) for signing; kEmptyChunk or
// kChunkTooLarge (over kMaxChunkBytes) instead of a header no verifier would accept.
// `keyframe` is ignored for init headers.
Result<ChunkHeader, TrustError> describe(HeaderKind kind, const PublicKey& stream, Epoch epoch, ChunkSeq seq,
                                         TimeMs capture_time, std::uint32_t duration_ms, ByteView payload,
                                         bool keyframe = true);
SignedHeader sign_header(const ChunkHeader& header, const SecretKey& key);

ByteVector encode(const SignedHeader& signed_header);
// Strict parse: exact size, version 1, a known kind byte (1, 2 or 3), piece size 16384, byte length in
// 1..kMaxChunkBytes. The signature is NOT checked here (see verify_signed_header).
Result<SignedHeader, TrustError> decode_signed_header(ByteView bytes);
// Decode, then kWrongStream, then kBadSignature. The signature is checked over the
// received bytes, so no re-encoding can hide a difference.
Result<ChunkHeader, TrustError> verify_signed_header(ByteView bytes, const PublicKey& expected_stream);

// Checks one piece against an already verified header, without the rest of the chunk:
// kPieceOutOfRange, kBadPieceLength (16384 bytes, the last piece the remainder), then
// kBadProof. Relays forward a piece only once this passes.
Result<void, TrustError> verify_piece(const ChunkHeader& header, PieceIndex index, ByteView piece,
                                      std::span<const Digest> proof);
// The whole chunk at once: kBadPieceLength if its size is not byte_length, kBadProof
// if its root differs.
Result<void, TrustError> verify_payload(const ChunkHeader& header, ByteView payload);

}  // namespace swarmcast::trust
