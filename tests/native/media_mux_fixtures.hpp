// Helpers for the WebCodecs muxer's tests: rendition specs, an OpusHead, a broadcaster's
// encoded output as a script of frames (30 fps video with a chunk boundary on the first
// frame of every second of capture time, 20 ms Opus packets, in capture order), and a
// muxer run that collects what comes out.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <variant>
#include <vector>

#include "media/frame_muxer.hpp"
#include "media_blocks.hpp"

namespace swarmcast::test {

inline ByteVector opus_head(std::uint8_t channels = 1, std::uint16_t pre_skip = 312) {
  return {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, channels, static_cast<Byte>(pre_skip & 0xFF),
          static_cast<Byte>(pre_skip >> 8), 0x80, 0xBB, 0, 0, 0, 0, 0};
}

inline media::RenditionSpec vp8_rendition(std::uint32_t width, std::uint32_t height, bool audio = true) {
  media::RenditionSpec spec;
  spec.video_codec = "V_VP8";
  spec.width = width;
  spec.height = height;
  if (audio) spec.audio = media::AudioSpec{48000, 1, opus_head()};
  return spec;
}

// A frame as pushed, owning its bytes.
struct ScriptFrame {
  media::FrameTrack track = media::FrameTrack::kVideo;
  std::int64_t timestamp_us = 0;
  bool keyframe = false;
  bool boundary = false;
  ByteVector bytes;

  media::EncodedFrame encoded() const { return {track, timestamp_us, keyframe, boundary, bytes}; }
  bool video() const { return track == media::FrameTrack::kVideo; }
};

// Distinct bytes per frame and per rendition, so a block read back names its frame.
inline ByteVector frame_bytes(std::uint32_t rendition, std::uint64_t index, std::size_t size) {
  ByteVector out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<Byte>(rendition * 131 + index * 7 + i);
  return out;
}

// `seconds` of capture from `start_us`: a video frame every 1/30 s (the first at or after
// each whole second of capture time is a keyframe and a boundary), an Opus packet every
// 20 ms, merged by timestamp (video first on a tie: a boundary opens its chunk before
// the audio timed with it goes in).
inline std::vector<ScriptFrame> capture_script(double seconds, std::uint32_t rendition = 0, std::int64_t start_us = 0,
                                               bool audio = true) {
  std::vector<ScriptFrame> out;
  const auto end_us = start_us + static_cast<std::int64_t>(seconds * 1e6);
  std::int64_t next_boundary_us = start_us;
  std::uint64_t video_index = 0, audio_index = 0;
  std::int64_t video_us = start_us, audio_us = start_us;
  while (video_us < end_us || (audio && audio_us < end_us)) {
    if (audio && audio_us < video_us && audio_us < end_us) {
      out.push_back({media::FrameTrack::kAudio, audio_us, true, false, frame_bytes(99, audio_index++, 40)});
      audio_us += 20'000;
      continue;
    }
    if (video_us >= end_us) break;
    const bool boundary = video_us >= next_boundary_us;
    if (boundary) next_boundary_us += 1'000'000;
    out.push_back({media::FrameTrack::kVideo, video_us, boundary, boundary,
                   frame_bytes(rendition, video_index, boundary ? 300 : 60 + video_index % 50)});
    ++video_index;
    video_us = start_us + static_cast<std::int64_t>(video_index) * 1'000'000 / 30;
  }
  return out;
}

struct Muxed {
  std::vector<media::MediaChunk> chunks;
  std::vector<media::MuxError> errors;
  // Per chunk (by index in `chunks`, then the open one), the appended() views, joined.
  std::vector<ByteVector> appended;
};

inline void collect(std::vector<media::MuxEvent> events, Muxed& out) {
  for (auto& event : events) {
    if (auto* chunk = std::get_if<media::MediaChunk>(&event)) {
      out.chunks.push_back(std::move(*chunk));
    } else {
      out.errors.push_back(std::get<media::MuxError>(event));
    }
  }
}

// Pushes every frame, then finishes; records what appended() said after every push.
inline Muxed mux(media::FrameMuxer& muxer, const std::vector<ScriptFrame>& frames, bool finish = true) {
  Muxed out;
  for (const ScriptFrame& frame : frames) {
    collect(muxer.push(frame.encoded()), out);
    const ByteView added = muxer.appended();
    if (added.empty()) continue;
    if (out.appended.size() <= out.chunks.size()) out.appended.resize(out.chunks.size() + 1);
    // A push that opened a chunk appends its Cluster header first.
    ByteVector& open = out.appended[out.chunks.size()];
    open.insert(open.end(), added.begin(), added.end());
  }
  if (finish) collect(muxer.finish(), out);
  return out;
}

inline media::FrameMuxer make_muxer(const media::RenditionSpec& spec, media::MuxerConfig config = {}) {
  auto muxer = media::FrameMuxer::create(spec, config);
  if (!muxer.ok()) throw std::runtime_error(muxer.error().detail);
  return std::move(muxer).value();
}

// A chunk read back as a player gets it: after its rendition's init segment.
inline ReadWebm read_chunk(const media::FrameMuxer& muxer, const media::MediaChunk& chunk) {
  ByteVector doc = muxer.init_segment().bytes;
  doc.insert(doc.end(), chunk.bytes.begin(), chunk.bytes.end());
  return read_webm(doc);
}

}  // namespace swarmcast::test
