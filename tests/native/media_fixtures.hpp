// Helpers for segmenter tests: the ffmpeg-made media, running a segmenter over bytes
// in a given slicing, and a tiny EBML writer for hand-made malformed input.
#pragma once

#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <stdexcept>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

#include "media/webm_segmenter.hpp"

namespace swarmcast::test {

// Throws when the file is missing or empty, so a test run without the generated media
// fails saying why instead of indexing into nothing.
inline ByteVector read_media(const std::string& name) {
  const std::string path = std::string(SWARMCAST_TEST_MEDIA) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  ByteVector bytes(std::istreambuf_iterator<char>(in), {});
  if (bytes.empty()) throw std::runtime_error("no test media at " + path + ": run tests/media/make-media.sh");
  return bytes;
}

struct Segmented {
  std::vector<media::InitSegment> inits;
  std::vector<media::MediaChunk> chunks;
  std::vector<media::SegmenterError> errors;
  std::vector<media::SegmenterEvent> events;  // all, in order
  std::uint64_t peak_retained = 0;
};

inline void collect(media::WebmSegmenter& segmenter, Segmented& out) {
  for (auto& event : segmenter.take_events()) {
    if (auto* init = std::get_if<media::InitSegment>(&event)) out.inits.push_back(*init);
    if (auto* chunk = std::get_if<media::MediaChunk>(&event)) out.chunks.push_back(*chunk);
    if (auto* error = std::get_if<media::SegmenterError>(&event)) out.errors.push_back(*error);
    out.events.push_back(std::move(event));
  }
}

// Pushes `bytes` in slices of `slice` bytes (0: all at once), then finishes.
inline Segmented segment(ByteView bytes, std::size_t slice = 0, media::SegmenterConfig config = {}) {
  media::WebmSegmenter segmenter(config);
  Segmented out;
  if (slice == 0) slice = bytes.size() ? bytes.size() : 1;
  for (std::size_t at = 0; at < bytes.size(); at += slice) {
    segmenter.push(bytes.subspan(at, std::min(slice, bytes.size() - at)));
    out.peak_retained = std::max(out.peak_retained, segmenter.retained_bytes());
    collect(segmenter, out);
  }
  segmenter.finish();
  collect(segmenter, out);
  return out;
}

// --- a minimal EBML writer, only for building malformed inputs by hand ---
// An 8-byte vint (0x01 + 7 bytes): sizes up to 2^56 - 2; all ones means unknown.
inline ByteVector ebml_size(std::uint64_t size) {
  ByteVector out{0x01};
  for (int shift = 48; shift >= 0; shift -= 8) out.push_back(static_cast<Byte>(size >> shift));
  return out;
}
inline ByteVector element(std::initializer_list<Byte> id, const ByteVector& payload) {
  ByteVector out(id);
  const ByteVector size = ebml_size(payload.size());
  out.insert(out.end(), size.begin(), size.end());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}
inline ByteVector element_declaring(std::initializer_list<Byte> id, std::uint64_t declared_size) {
  ByteVector out(id);
  const ByteVector size = ebml_size(declared_size);
  out.insert(out.end(), size.begin(), size.end());
  return out;
}
inline ByteVector concat(std::initializer_list<ByteVector> parts) {
  ByteVector out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline const ByteVector kUnknownSize{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

inline ByteVector webm_ebml_header() {
  return element({0x1A, 0x45, 0xDF, 0xA3}, element({0x42, 0x82}, {'w', 'e', 'b', 'm'}));
}
inline ByteVector live_segment_start() { return concat({{0x18, 0x53, 0x80, 0x67}, kUnknownSize}); }
inline ByteVector info() { return element({0x15, 0x49, 0xA9, 0x66}, element({0x2A, 0xD7, 0xB1}, {0x0F, 0x42, 0x40})); }
// A track entry: number, type (1 video, 2 audio, 0x11 subtitle), codec id.
inline ByteVector track(Byte number, Byte type, const std::string& codec) {
  return element({0xAE}, concat({element({0xD7}, {number}), element({0x83}, {type}),
                                 element({0x86}, ByteVector(codec.begin(), codec.end()))}));
}
inline ByteVector tracks(std::initializer_list<ByteVector> entries) {
  return element({0x16, 0x54, 0xAE, 0x6B}, concat(entries));
}
// A SimpleBlock on track 1 at `timecode` (relative), keyframe or not, with `bytes` of payload.
inline ByteVector simple_block(std::int16_t timecode, bool keyframe, std::size_t bytes) {
  ByteVector payload{0x81, static_cast<Byte>(timecode >> 8), static_cast<Byte>(timecode & 0xFF),
                     static_cast<Byte>(keyframe ? 0x80 : 0x00)};
  payload.resize(payload.size() + bytes, 0x55);
  return element({0xA3}, payload);
}
inline ByteVector live_cluster(std::uint32_t timecode, std::initializer_list<ByteVector> blocks) {
  ByteVector tc{static_cast<Byte>(timecode >> 24), static_cast<Byte>(timecode >> 16),
                static_cast<Byte>(timecode >> 8), static_cast<Byte>(timecode)};
  return concat({{0x1F, 0x43, 0xB6, 0x75}, kUnknownSize, element({0xE7}, tc), concat(blocks)});
}

}  // namespace swarmcast::test
