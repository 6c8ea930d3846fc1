// libFuzzer target for the WebM segmenter: any bytes, in any slicing, under small caps.
// The first kConfigBytes bytes choose the slicing and the caps; the rest is the stream.
// Traps when retained memory outgrows the caps, when a chunk is empty or does not
// start with a Cluster, when chunk seqs are not 0, 1, 2, ..., or when an init segment
// does not start with the EBML magic. tools/fuzz.sh builds and runs it.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "media/webm_segmenter.hpp"

namespace {

using swarmcast::ByteView;
using namespace swarmcast::media;

constexpr std::size_t kConfigBytes = 4;
constexpr std::array<std::uint8_t, 4> kEbmlMagic{0x1A, 0x45, 0xDF, 0xA3};
constexpr std::array<std::uint8_t, 4> kClusterId{0x1F, 0x43, 0xB6, 0x75};
// An element header is at most 12 bytes (4-byte id, 8-byte size); a bound may be off
// by the header of the element that closes a range and of the next one being read.
constexpr std::uint64_t kHeaderSlack = 64;

struct Setup {
  std::size_t slice;
  SegmenterConfig config;
};

// b0 b1: slice 1..4096; b2: element cap 1 KiB..1 MiB; b3: chunk cap 4 KiB..1 MiB (low
// nibble) and target duration 250..4000 ms (high nibble). Caps this small make real
// media hit them, so the error paths get exercised as much as the happy path.
Setup read_setup(const std::uint8_t* b) {
  Setup s{};
  s.slice = ((std::size_t{b[0]} << 8) | b[1]) % 4096 + 1;
  s.config.max_element_bytes = 1024u << (b[2] % 11);
  s.config.max_chunk_bytes = 4096u << ((b[3] & 0x0F) % 9);
  s.config.target_duration_ms = 250u * (1u + (b[3] >> 4));
  s.config.max_duration_ms = s.config.target_duration_ms + s.config.target_duration_ms / 4;  // as web/core does
  return s;
}

// What webm_segmenter.cpp's retain_from() keeps, at most: before the first cluster of
// an epoch, the headers from the EBML element on (elements may begin up to 2 caps in,
// and each is at most one cap); after it, the pending chunk (under max_chunk_bytes until
// its last block of at most one cap) plus the cluster being read (one cap).
std::uint64_t retained_bound(const SegmenterConfig& c) {
  const std::uint64_t element = c.max_element_bytes;
  // The limit WebmSegmenter enforces (webm_segmenter.hpp, retained_bytes()).
  return std::uint64_t{c.max_chunk_bytes} + 3 * element + kHeaderSlack;
}

template <std::size_t N>
bool starts_with(const swarmcast::ByteVector& bytes, const std::array<std::uint8_t, N>& prefix) {
  return bytes.size() >= N && std::equal(prefix.begin(), prefix.end(), bytes.begin());
}

void check_events(WebmSegmenter& segmenter, std::uint64_t& next_seq) {
  for (const SegmenterEvent& event : segmenter.take_events()) {
    if (const auto* init = std::get_if<InitSegment>(&event)) {
      if (!starts_with(init->bytes, kEbmlMagic)) __builtin_trap();
    } else if (const auto* chunk = std::get_if<MediaChunk>(&event)) {
      if (chunk->seq.value != next_seq++) __builtin_trap();
      if (!starts_with(chunk->bytes, kClusterId)) __builtin_trap();  // also: never empty
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kConfigBytes) return 0;
  const Setup setup = read_setup(data);
  const std::uint64_t bound = retained_bound(setup.config);
  const ByteView stream = ByteView(data, size).subspan(kConfigBytes);

  WebmSegmenter segmenter(setup.config);
  std::uint64_t next_seq = 0;
  for (std::size_t at = 0; at < stream.size(); at += setup.slice) {
    segmenter.push(stream.subspan(at, std::min(setup.slice, stream.size() - at)));
    if (segmenter.retained_bytes() > bound) __builtin_trap();
    check_events(segmenter, next_seq);
  }
  segmenter.finish();
  if (segmenter.retained_bytes() > bound) __builtin_trap();
  check_events(segmenter, next_seq);
  return 0;
}
