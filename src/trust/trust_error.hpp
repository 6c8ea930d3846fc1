// Why a signature, header, rendition list, piece or key was refused.
#pragma once

namespace swarmcast::trust {

enum class TrustError {
  kMalformedHeader,     // wrong size or impossible field values
  kUnsupportedVersion,  // a header version this build does not know
  kUnknownKind,         // neither init nor chunk (of either start kind)
  kWrongStream,         // signed for another stream id
  kBadSignature,        // the Ed25519 signature does not match
  kPieceOutOfRange,     // piece index beyond the chunk
  kBadPieceLength,      // a piece (or whole payload) of the wrong size
  kBadProof,            // the bytes do not hash up to the signed Merkle root
  kBadStreamId,         // not a base64url Ed25519 public key
  kBadEncoding,         // not canonical base64url / hex
  kEmptyChunk,          // nothing to sign
  kChunkTooLarge,       // beyond kMaxChunkBytes
  kUnknownFlags,        // a reserved header flag set, or a chunk's flag on an init header
  kBadRendition,        // a rendition id at or beyond kMaxRenditions
  kMalformedLadder,     // a rendition list of the wrong size or breaking its rules
};

// Stable snake_case names: they reach JS as error codes and appear in docs/PROTOCOL.md.
constexpr const char* to_string(TrustError error) {
  switch (error) {
    case TrustError::kMalformedHeader: return "malformed_header";
    case TrustError::kUnsupportedVersion: return "unsupported_version";
    case TrustError::kUnknownKind: return "unknown_kind";
    case TrustError::kWrongStream: return "wrong_stream";
    case TrustError::kBadSignature: return "bad_signature";
    case TrustError::kPieceOutOfRange: return "piece_out_of_range";
    case TrustError::kBadPieceLength: return "bad_piece_length";
    case TrustError::kBadProof: return "bad_proof";
    case TrustError::kBadStreamId: return "bad_stream_id";
    case TrustError::kBadEncoding: return "bad_encoding";
    case TrustError::kEmptyChunk: return "empty_chunk";
    case TrustError::kChunkTooLarge: return "chunk_too_large";
    case TrustError::kUnknownFlags: return "unknown_flags";
    case TrustError::kBadRendition: return "bad_rendition";
    case TrustError::kMalformedLadder: return "malformed_ladder";
  }
  return "unknown";
}

}  // namespace swarmcast::trust
