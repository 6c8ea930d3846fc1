// The signed header that travels with every chunk and init segment. Layout (version
// 2, 164 bytes, integers big-endian; docs/PROTOCOL.md has the table):
//   0 version | 1 kind | 2 flags | 3 rendition | 4 stream public key[32] |
//   36 epoch u32 | 40 seq u64 | 48 capture_time_ms i64 | 56 duration_ms u32 |
//   60 byte_length u32 | 64 piece_size u32 | 68 merkle_root[32] | 100 signature[64]
// The signature covers "swarmcast/header/v2" followed by bytes 0..99. A chunk is named
// by (rendition, seq) and an init segment by (rendition, epoch). The flags byte says
// whether a chunk starts within a group of pictures (bit 0), so no relay can forge a
// start point; its other bits are reserved, bit 1 for progressive chunks
// (docs/PROTOCOL.md), and refused while unassigned.
#pragma once

#include <cstdint>
#include <span>

#include "core/strong_types.hpp"
#include "trust/keys.hpp"
#include "trust/merkle.hpp"

namespace swarmcast::trust {

enum class HeaderKind : std::uint8_t { kInit = 1, kChunk = 2 };
// Flags bit 0: the chunk's first video frame is not a keyframe. Never set in an init
// header. Every other bit is reserved and refused (kUnknownFlags).
inline constexpr std::uint8_t kDeltaStartFlag = 0x01;

inline constexpr std::uint8_t kHeaderVersion = 2;
inline constexpr std::size_t kSignedPartSize = 100;
inline constexpr std::size_t kSignedHeaderSize = kSignedPartSize + 64;
// Rendition ids are 0..kMaxRenditions-1: a stream has at most this many qualities.
inline constexpr std::uint8_t kMaxRenditions = 8;
// 1024 pieces: the most one ChunkHeader wire message can carry hashes for.
inline constexpr std::uint32_t kMaxChunkBytes = 16u << 20;

struct ChunkHeader {
  HeaderKind kind = HeaderKind::kChunk;
  // Which quality of the stream (the signed rendition list's ids); 0 for a stream of one.
  RenditionId rendition;
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

// Describes `payload` (its length and Merkle root) for signing; kEmptyChunk,
// kChunkTooLarge (over kMaxChunkBytes) or kBadRendition (kMaxRenditions or above)
// instead of a header no verifier would accept. `keyframe` is ignored for init headers.
Result<ChunkHeader, TrustError> describe(HeaderKind kind, const PublicKey& stream, Epoch epoch, ChunkSeq seq,
                                         TimeMs capture_time, std::uint32_t duration_ms, ByteView payload,
                                         bool keyframe = true, RenditionId rendition = RenditionId{0});
SignedHeader sign_header(const ChunkHeader& header, const SecretKey& key);

ByteVector encode(const SignedHeader& signed_header);
// Strict parse, in this order: exact size (kMalformedHeader), version 2
// (kUnsupportedVersion), kind 1 or 2 (kUnknownKind), no reserved flag and no delta flag
// on an init header (kUnknownFlags), rendition below kMaxRenditions (kBadRendition),
// piece size 16384 and byte length in 1..kMaxChunkBytes (kMalformedHeader). The
// signature is NOT checked here (see verify_signed_header).
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
