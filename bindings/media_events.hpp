// The media events as JS sees them, shared by the segmenter's and the frame muxer's
// bindings: { type: 'init' | 'chunk' | 'error', ... } plain objects.
#pragma once

#include <emscripten/val.h>

#include "heap_bytes.hpp"
#include "media/mux_types.hpp"

namespace swarmcast::bindings {

inline emscripten::val track_to_js(const media::TrackInfo& track) {
  using emscripten::val;
  if (track.codec_id.empty()) return val::null();
  val out = val::object();
  out.set("codecId", track.codec_id);
  out.set("width", track.width);
  out.set("height", track.height);
  out.set("sampleRate", track.sample_rate);
  out.set("channels", track.channels);
  return out;
}

inline emscripten::val init_to_js(const media::InitSegment& init) {
  emscripten::val out = emscripten::val::object();
  out.set("type", "init");
  out.set("epoch", init.epoch.value);
  out.set("mimeType", init.mime_type);
  out.set("video", track_to_js(init.video));
  out.set("audio", track_to_js(init.audio));
  out.set("bytes", to_js(init.bytes));
  return out;
}

inline emscripten::val chunk_to_js(const media::MediaChunk& chunk) {
  emscripten::val out = emscripten::val::object();
  out.set("type", "chunk");
  out.set("seq", static_cast<double>(chunk.seq.value));
  out.set("epoch", chunk.epoch.value);
  out.set("startMs", static_cast<double>(chunk.start.value));
  out.set("durationMs", chunk.duration_ms);
  out.set("keyframe", chunk.keyframe);
  out.set("bytes", to_js(chunk.bytes));
  return out;
}

inline emscripten::val mux_error_to_js(const media::MuxError& error) {
  emscripten::val out = emscripten::val::object();
  out.set("type", "error");
  out.set("code", std::string(media::to_string(error.code)));
  out.set("detail", error.detail);
  out.set("fatal", error.fatal);
  return out;
}

}  // namespace swarmcast::bindings
