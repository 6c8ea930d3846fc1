// The signed rendition list ("ladder"): which qualities a stream has, signed by the
// stream key. It lives in trust/, beside the chunk header, because what makes it
// worth anything is the signature: a viewer judges every chunk header's rendition id
// against it, so it must be as unforgeable as the headers, and it is signed under a
// domain prefix of its own (docs/PROTOCOL.md, "Signed rendition list"). It holds plain
// numbers and a codecs string, no media parsing.
//
// Layout (version 1, integers big-endian):
//   0 version | 1 stream public key[32] | 33 revision u32 | 37 first seq u64 |
//   45 count n u8 | 46 n entries: id u8, width u16, height u16, bitrate bps u32,
//   frame rate (fps x 1000) u32, codecs length u8, codecs | signature[64]
// The signature covers "swarmcast/ladder/v1" followed by every byte before it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/result.hpp"
#include "core/strong_types.hpp"
#include "trust/keys.hpp"
#include "trust/signed_header.hpp"

namespace swarmcast::trust {

inline constexpr std::uint8_t kLadderVersion = 1;
inline constexpr std::size_t kMaxCodecsBytes = 64;
inline constexpr std::uint16_t kMaxDimension = 16384;
inline constexpr std::uint32_t kMaxFrameRateMilli = 1'000'000;  // 1000 fps
// The largest encoding: every rendition with the longest codecs string.
inline constexpr std::size_t kMaxSignedLadderBytes = 46 + kMaxRenditions * (14 + kMaxCodecsBytes) + 64;

struct Rendition {
  RenditionId id;
  std::uint16_t width = 0;  // 0 x 0: an audio-only rendition
  std::uint16_t height = 0;
  std::uint32_t bitrate_bps = 0;          // what the encoder aims at, audio included
  std::uint32_t frame_rate_milli = 0;     // frames per second x 1000 (29.97 fps: 29970); 0 audio only
  std::string codecs;                     // RFC 6381 codecs, e.g. "vp8,opus": printable ASCII, no space
  bool operator==(const Rendition&) const = default;
};

// Rules (any break is kMalformedLadder): 1 to kMaxRenditions renditions, highest
// bitrate first and no two alike, distinct ids below kMaxRenditions, a bitrate above
// 0, width and height both 0 (audio only, frame rate 0) or both 1..kMaxDimension (frame
// rate 1..kMaxFrameRateMilli), codecs of 1..kMaxCodecsBytes bytes 0x21..0x7E.
struct RenditionLadder {
  PublicKey stream;
  // A later list has a higher revision; a receiver keeps the highest it has verified.
  std::uint32_t revision = 0;
  // The first chunk the list speaks for. Chunks before it were cut under an earlier list.
  ChunkSeq first_seq;
  std::vector<Rendition> renditions;
  bool operator==(const RenditionLadder&) const = default;

  const Rendition* find(RenditionId id) const;
};

struct SignedLadder {
  RenditionLadder ladder;
  Signature signature{};
};

// The list encoded and signed; kMalformedLadder if it breaks a rule above.
Result<ByteVector, TrustError> sign_ladder(const RenditionLadder& ladder, const SecretKey& key);
// Strict parse: kMalformedLadder (a size that does not match the fields, a broken
// rule), kUnsupportedVersion. The signature is NOT checked here.
Result<SignedLadder, TrustError> decode_signed_ladder(ByteView bytes);
// Decode, then kWrongStream, then kBadSignature, checked over the received bytes.
Result<RenditionLadder, TrustError> verify_signed_ladder(ByteView bytes, const PublicKey& expected_stream);

// How a verified header stands against the stream's current list (none yet: a stream
// of one rendition, id 0).
enum class RenditionStanding : std::uint8_t {
  kListed,
  // A chunk at or after the list's first seq naming a rendition the list does not
  // have: the broadcaster never made it so, as the list says; penalised as a forged header.
  kUnlisted,
  // Not listed, but not provably wrong: an init segment (it carries no seq to date it
  // against the list) or a chunk cut under an earlier list, or any rendition but 0
  // before a list arrived. Refused without blame.
  kUnjudged,
};
RenditionStanding rendition_standing(const RenditionLadder* ladder, const ChunkHeader& header);

// How far apart the same moment may be cut in two renditions: max(kMinAlignmentSlackMs,
// two frames at the slower one's frame rate), as encoders cut only at frames.
inline constexpr std::int64_t kMinAlignmentSlackMs = 80;
// Whether two chunk headers of one seq in different renditions cover the same moment:
// their starts and their ends agree within the slack above. The list gives the frame
// rates; a rendition it lacks counts as audio only (the slack's floor).
bool aligned(const ChunkHeader& a, const ChunkHeader& b, const RenditionLadder& ladder);

}  // namespace swarmcast::trust
