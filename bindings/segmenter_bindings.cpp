// Embind wrapper of media::WebmSegmenter (push bytes, drain events as plain objects),
// and of media::make_clip.
#include <emscripten/bind.h>

#include <deque>

#include "heap_bytes.hpp"
#include "media/clip.hpp"
#include "media/webm_segmenter.hpp"
#include "media_events.hpp"

namespace swarmcast::bindings {
namespace {

using emscripten::val;

struct EventToJs {
  val operator()(const media::InitSegment& init) const { return init_to_js(init); }
  val operator()(const media::MediaChunk& chunk) const { return chunk_to_js(chunk); }
  val operator()(const media::SegmenterError& error) const {
    val out = val::object();
    out.set("type", "error");
    out.set("code", std::string(media::to_string(error.code)));
    out.set("position", static_cast<double>(error.position));
    out.set("detail", error.detail);
    out.set("fatal", error.fatal);
    return out;
  }
};

class SegmenterBinding {
 public:
  SegmenterBinding(std::uint32_t target_duration_ms, std::uint32_t max_duration_ms, std::uint32_t max_chunk_bytes,
                   std::uint32_t max_element_bytes)
      : segmenter_(media::SegmenterConfig{target_duration_ms, max_duration_ms, max_chunk_bytes, max_element_bytes}) {}

  void push(std::uintptr_t pointer, std::size_t length) {
    segmenter_.push(bytes_at(pointer, length));
    drain();
  }
  void finish() {
    segmenter_.finish();
    drain();
  }
  bool has_event() const { return !events_.empty(); }
  val next_event() {
    if (events_.empty()) return val::null();
    val out = std::visit(EventToJs{}, events_.front());
    events_.pop_front();
    return out;
  }
  double retained_bytes() const { return static_cast<double>(segmenter_.retained_bytes()); }

 private:
  void drain() {
    for (auto& event : segmenter_.take_events()) events_.push_back(std::move(event));
  }

  media::WebmSegmenter segmenter_;
  std::deque<media::SegmenterEvent> events_;
};

// The init segment and the clusters lie back to back at `pointer`.
// { bytes } or { error, position }.
val make_clip(std::uintptr_t pointer, std::size_t init_length, std::size_t clusters_length) {
  auto clip = media::make_clip(bytes_at(pointer, init_length), bytes_at(pointer + init_length, clusters_length));
  val out = val::object();
  if (clip.ok()) {
    out.set("bytes", to_js(clip.value()));
  } else {
    out.set("error", clip.error().detail);
    out.set("position", static_cast<double>(clip.error().position));
  }
  return out;
}

}  // namespace

EMSCRIPTEN_BINDINGS(swarmcast_segmenter) {
  emscripten::function("makeClip", &make_clip);
  emscripten::class_<SegmenterBinding>("Segmenter")
      .constructor<std::uint32_t, std::uint32_t, std::uint32_t, std::uint32_t>()
      .function("push", &SegmenterBinding::push)
      .function("finish", &SegmenterBinding::finish)
      .function("hasEvent", &SegmenterBinding::has_event)
      .function("nextEvent", &SegmenterBinding::next_event)
      .function("retainedBytes", &SegmenterBinding::retained_bytes);
}

}  // namespace swarmcast::bindings
