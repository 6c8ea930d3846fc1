#include "trust/rendition_ladder.hpp"

#include <algorithm>
#include <bitset>
#include <cstdlib>
#include <string_view>

#include "core/byte_reader.hpp"

namespace swarmcast::trust {
namespace {

constexpr std::string_view kDomain = "swarmcast/ladder/v1";
constexpr std::size_t kFixedBytes = 46;  // version .. count
constexpr std::size_t kEntryFixedBytes = 14;  // id .. codecs length

template <typename T>
void put(ByteVector& out, T value) {
  for (int shift = (sizeof(T) - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<Byte>(value >> shift));
}

bool valid_codecs(std::string_view codecs) {
  return !codecs.empty() && codecs.size() <= kMaxCodecsBytes &&
         std::all_of(codecs.begin(), codecs.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

bool valid_rendition(const Rendition& r) {
  if (r.id.value >= kMaxRenditions || r.bitrate_bps == 0 || !valid_codecs(r.codecs)) return false;
  const bool audio_only = r.width == 0 && r.height == 0;
  if (audio_only) return r.frame_rate_milli == 0;
  return r.width > 0 && r.height > 0 && r.width <= kMaxDimension && r.height <= kMaxDimension &&
         r.frame_rate_milli > 0 && r.frame_rate_milli <= kMaxFrameRateMilli;
}

bool valid_ladder(const RenditionLadder& ladder) {
  const auto& list = ladder.renditions;
  if (list.empty() || list.size() > kMaxRenditions) return false;
  std::bitset<kMaxRenditions> seen;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!valid_rendition(list[i]) || seen.test(list[i].id.value)) return false;
    seen.set(list[i].id.value);
    // Highest first, strictly: the order is the quality order, with no ties to break.
    if (i > 0 && list[i].bitrate_bps >= list[i - 1].bitrate_bps) return false;
  }
  return true;
}

ByteVector signed_part(const RenditionLadder& ladder) {
  ByteVector out;
  out.reserve(kMaxSignedLadderBytes);
  out.push_back(kLadderVersion);
  out.insert(out.end(), ladder.stream.bytes.begin(), ladder.stream.bytes.end());
  put<std::uint32_t>(out, ladder.revision);
  put<std::uint64_t>(out, ladder.first_seq.value);
  out.push_back(static_cast<Byte>(ladder.renditions.size()));
  for (const Rendition& r : ladder.renditions) {
    out.push_back(r.id.value);
    put<std::uint16_t>(out, r.width);
    put<std::uint16_t>(out, r.height);
    put<std::uint32_t>(out, r.bitrate_bps);
    put<std::uint32_t>(out, r.frame_rate_milli);
    out.push_back(static_cast<Byte>(r.codecs.size()));
    out.insert(out.end(), r.codecs.begin(), r.codecs.end());
  }
  return out;
}

ByteVector signing_input(ByteView signed_bytes) {
  ByteVector out(kDomain.begin(), kDomain.end());
  out.insert(out.end(), signed_bytes.begin(), signed_bytes.end());
  return out;
}

Result<Rendition, TrustError> read_rendition(ByteReader& r) {
  Rendition out;
  std::uint8_t id = 0;
  std::uint8_t codecs_size = 0;
  ByteView codecs;
  if (!(r.uint(id) && r.uint(out.width) && r.uint(out.height) && r.uint(out.bitrate_bps) &&
        r.uint(out.frame_rate_milli) && r.uint(codecs_size) && r.bytes(codecs_size, codecs)))
    return Failure{TrustError::kMalformedLadder};
  out.id = RenditionId{id};
  out.codecs.assign(codecs.begin(), codecs.end());
  return out;
}

}  // namespace

const Rendition* RenditionLadder::find(RenditionId id) const {
  const auto it = std::find_if(renditions.begin(), renditions.end(), [&](const Rendition& r) { return r.id == id; });
  return it == renditions.end() ? nullptr : &*it;
}

Result<ByteVector, TrustError> sign_ladder(const RenditionLadder& ladder, const SecretKey& key) {
  if (!valid_ladder(ladder)) return Failure{TrustError::kMalformedLadder};
  ByteVector out = signed_part(ladder);
  const Signature signature = sign_detached(key, signing_input(out));
  out.insert(out.end(), signature.begin(), signature.end());
  return out;
}

Result<SignedLadder, TrustError> decode_signed_ladder(ByteView bytes) {
  if (bytes.size() < kFixedBytes + sizeof(Signature) || bytes.size() > kMaxSignedLadderBytes)
    return Failure{TrustError::kMalformedLadder};
  if (bytes[0] != kLadderVersion) return Failure{TrustError::kUnsupportedVersion};
  ByteReader r(bytes.first(bytes.size() - sizeof(Signature)));
  SignedLadder out;
  RenditionLadder& ladder = out.ladder;
  std::uint8_t version = 0;
  ByteView stream;
  std::uint64_t first_seq = 0;
  std::uint8_t count = 0;
  r.uint(version);  // cannot fail: the size was checked
  r.bytes(ladder.stream.bytes.size(), stream);
  r.uint(ladder.revision);
  r.uint(first_seq);
  r.uint(count);
  std::copy(stream.begin(), stream.end(), ladder.stream.bytes.begin());
  ladder.first_seq = ChunkSeq{first_seq};
  if (count == 0 || count > kMaxRenditions || r.remaining() < std::size_t{count} * kEntryFixedBytes)
    return Failure{TrustError::kMalformedLadder};
  ladder.renditions.reserve(count);
  for (std::uint8_t i = 0; i < count; ++i) {
    auto rendition = read_rendition(r);
    if (!rendition) return Failure{rendition.error()};
    ladder.renditions.push_back(std::move(rendition).value());
  }
  if (r.remaining() != 0 || !valid_ladder(ladder)) return Failure{TrustError::kMalformedLadder};
  std::copy(bytes.end() - static_cast<std::ptrdiff_t>(sizeof(Signature)), bytes.end(), out.signature.begin());
  return out;
}

Result<RenditionLadder, TrustError> verify_signed_ladder(ByteView bytes, const PublicKey& expected_stream) {
  auto decoded = decode_signed_ladder(bytes);
  if (!decoded) return Failure{decoded.error()};
  SignedLadder& s = decoded.value();
  if (!(s.ladder.stream == expected_stream)) return Failure{TrustError::kWrongStream};
  if (!verify_detached(expected_stream, signing_input(bytes.first(bytes.size() - sizeof(Signature))), s.signature))
    return Failure{TrustError::kBadSignature};
  return std::move(s.ladder);
}

bool aligned(const ChunkHeader& a, const ChunkHeader& b, const RenditionLadder& ladder) {
  const auto frame_rate = [&](RenditionId id) {
    const Rendition* r = ladder.find(id);
    return r ? r->frame_rate_milli : 0u;
  };
  const std::uint32_t slower = std::min(frame_rate(a.rendition), frame_rate(b.rendition));
  // Two frames: 2 x 1000 ms x 1000 / (frames per second x 1000), rounded up.
  const std::int64_t two_frames = slower == 0 ? 0 : (std::int64_t{2'000'000} + slower - 1) / slower;
  const std::int64_t slack = std::max(kMinAlignmentSlackMs, two_frames);
  const std::int64_t start_gap = a.capture_time.value - b.capture_time.value;
  const std::int64_t end_gap = start_gap + std::int64_t{a.duration_ms} - std::int64_t{b.duration_ms};
  return std::abs(start_gap) <= slack && std::abs(end_gap) <= slack;
}

RenditionStanding rendition_standing(const RenditionLadder* ladder, const ChunkHeader& header) {
  if (!ladder) return header.rendition == RenditionId{0} ? RenditionStanding::kListed : RenditionStanding::kUnjudged;
  if (ladder->find(header.rendition)) return RenditionStanding::kListed;
  if (header.kind == HeaderKind::kChunk && header.seq >= ladder->first_seq) return RenditionStanding::kUnlisted;
  return RenditionStanding::kUnjudged;
}

}  // namespace swarmcast::trust
