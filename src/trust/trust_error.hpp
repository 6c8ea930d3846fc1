// Why a signature, header, piece or key was refused.
#pragma once

namespace swarmcast::trust {

enum class TrustError {
  kMalformedHeader,     // wrong size or impossible field values
  kUnsupportedVersion,  // a header version this build does not know
  kUnknownKind,         // neither init nor chunk
  kWrongStream,         // signed for another stream id
  kBadSignature,        // the Ed25519 signature does not match
  kPieceOutOfRange,     // piece index beyond the chunk
  kBadPieceLength,      // a piece of the wrong size for its index
  kBadProof,            // the piece does not hash up to the signed Merkle root
  kBadStreamId,         // not a base64url Ed25519 public key
  kBadEncoding,         // not canonical base64url / hex
  kEmptyChunk,          // nothing to sign
  kChunkTooLarge,       // beyond kMaxChunkBytes
};

const char* to_string(TrustError error);

}  // namespace swarmcast::trust
