// Why a received wire message was refused. Any of these is a protocol violation by
// the sender; the engine decides what it costs the peer.
#pragma once

namespace swarmcast::wire {

enum class WireError {
  kEmpty,          // a zero-byte message
  kUnknownType,    // a type byte this version does not define
  kTruncated,      // fewer bytes than the fields need
  kTrailingBytes,  // bytes left after the last field
  kTooLarge,       // the message, a piece or an init segment beyond its cap
  kBadVersion,     // a handshake of another protocol version
  kBadValue,       // a field outside its range, or nonzero reserved bits
};

// Stable snake_case names: they reach JS as error codes and appear in docs/PROTOCOL.md.
constexpr const char* to_string(WireError error) {
  switch (error) {
    case WireError::kEmpty: return "empty";
    case WireError::kUnknownType: return "unknown_type";
    case WireError::kTruncated: return "truncated";
    case WireError::kTrailingBytes: return "trailing_bytes";
    case WireError::kTooLarge: return "too_large";
    case WireError::kBadVersion: return "bad_version";
    case WireError::kBadValue: return "bad_value";
  }
  return "unknown";
}

}  // namespace swarmcast::wire
